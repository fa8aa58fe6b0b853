#!/usr/bin/env python3
"""Writes the seed corpus of app_layer_fuzzer (format in app_layer_fuzzer.cc) to corpus/."""
import os
import struct

PORTS = [80, 443, 25, 110, 143, 21, 22, 23, 3128, 3306, 5432, 88, 445, 69, 5060, 53,
         123, 67, 547, 587, 8080, 2222, 2121, 40001]
C, S = 0, 1  # directions


def flow(port, events, udp=False, client_port=40000, server_port=0):
    sel = 0x7f if server_port else PORTS.index(port)
    out = bytes([sel | (0x80 if udp else 0)]) + struct.pack(">HH", client_port, server_port)
    for direction, payload in events:
        for at in range(0, max(len(payload), 1), 255):  # events carry at most 255 bytes
            piece = payload[at:at + 255]
            out += bytes([direction, len(piece)]) + piece
    return out + b"\xff"


CLIENT_HELLO = bytes.fromhex(
    "16030100310100002d0303" + "11" * 32 + "000004130113020100000000")


def mysql_packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq]) + payload


MYSQL_GREETING = mysql_packet(0, b"\x0a8.0.36\x00" + struct.pack("<I", 42) + b"abcdefgh\x00"
                              + struct.pack("<H", 0xf7ff) + b"\xff" + struct.pack("<H", 2)
                              + struct.pack("<H", 0x81ff) + b"\x15" + b"\x00" * 10
                              + b"ijklmnopqrst\x00mysql_native_password\x00")
MYSQL_LOGIN = mysql_packet(1, struct.pack("<I", 0x000aa208) + struct.pack("<I", 1 << 24) + b"\x21"
                           + b"\x00" * 23 + b"erin\x00" + b"\x14" + b"R" * 20 + b"shop\x00"
                           + b"mysql_native_password\x00")
seeds = {
    "mysql-login-queries": flow(3306, [
        (S, MYSQL_GREETING), (C, MYSQL_LOGIN), (S, mysql_packet(2, b"\x00\x00\x00\x02\x00\x00\x00")),
        (C, mysql_packet(0, b"\x03SELECT * FROM users")), (S, mysql_packet(1, b"\x01")),
        (C, mysql_packet(0, b"\x02billing")), (C, mysql_packet(0, b"\x01"))]),
    "connect-ssh-same-segment": flow(3128, [
        (C, b"CONNECT git.example:22 HTTP/1.1\r\nHost: git.example:22\r\n\r\n"),
        (S, b"HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0-OpenSSH_9.6\r\n"),
        (C, b"SSH-2.0-PuTTY_0.80\r\n")]),
    "smtp-starttls": flow(25, [
        (S, b"220 mail.example ESMTP\r\n"), (C, b"EHLO me\r\n"),
        (S, b"250-mail.example\r\n250 STARTTLS\r\n"), (C, b"STARTTLS\r\n"),
        (S, b"220 go ahead\r\n"), (C, CLIENT_HELLO)]),
    "ftp-pasv-data": flow(21, [
        (S, b"220 ftp\r\n"), (C, b"USER anonymous\r\n"), (S, b"331 pw\r\n"),
        (C, b"PASS a@b\r\n"), (S, b"230 ok\r\n"), (C, b"PASV\r\n"),
        (S, b"227 Entering Passive Mode (10,0,0,2,195,80)\r\n"), (C, b"RETR a.txt\r\n"),
        (S, b"150 data\r\n")]) + flow(0, [(S, b"hello file\n")], client_port=40002,
                                      server_port=195 * 256 + 80),
    "dns-udp": flow(53, [(C, bytes.fromhex("abcd01000001000000000000076578616d706c6503636f6d0000010001")),
                         (S, bytes.fromhex("abcd81800001000100000000076578616d706c6503636f6d0000010001"
                                           "c00c000100010000003c00045db8d822"))], udp=True),
    "http-on-8080-split": flow(8080, [(C, b"GE"), (C, b"T / HTTP/1.1\r\nHost: x\r\n\r\n"),
                                      (S, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")]),
}
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(here, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
