#!/usr/bin/env python3
"""Rewrites a TCP/UDP port in a classic pcap (Ethernet, 802.1Q, IPv4/IPv6) and writes a new file.

Used to make samples that check detection by content rather than by port (HTTP on 8081, SSH on
2222). Checksums are left as they were (netcap does not verify them; tshark does not by
default either).

usage: rewrite-port.py IN.pcap OUT.pcap OLD_PORT NEW_PORT
"""
import struct
import sys


def rewrite(frame: bytearray, old: int, new: int) -> None:
    off = 12
    ethertype = struct.unpack_from("!H", frame, off)[0]
    off += 2
    while ethertype in (0x8100, 0x88A8):
        ethertype = struct.unpack_from("!H", frame, off + 2)[0]
        off += 4
    if ethertype == 0x0800:
        ihl = (frame[off] & 0x0F) * 4
        proto = frame[off + 9]
        l4 = off + ihl
    elif ethertype == 0x86DD:
        proto = frame[off + 6]
        l4 = off + 40
    else:
        return
    if proto not in (6, 17) or len(frame) < l4 + 4:
        return
    for pos in (l4, l4 + 2):
        if struct.unpack_from("!H", frame, pos)[0] == old:
            struct.pack_into("!H", frame, pos, new)


def main() -> None:
    src, dst, old, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    data = open(src, "rb").read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack_from(endian + "I", data, 20)[0]
    if linktype != 1:
        sys.exit("only Ethernet pcap files are supported")
    out = bytearray(data[:24])
    pos = 24
    while pos + 16 <= len(data):
        caplen = struct.unpack_from(endian + "I", data, pos + 8)[0]
        frame = bytearray(data[pos + 16:pos + 16 + caplen])
        rewrite(frame, old, new)
        out += data[pos:pos + 16] + frame
        pos += 16 + caplen
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
