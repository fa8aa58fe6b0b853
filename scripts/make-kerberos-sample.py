#!/usr/bin/env python3
"""Writes samples/kerberos-synthetic.pcap: a small, deterministic Kerberos v5 capture.

No shared capture has Kerberos, so this builds one from scratch with the standard library only
(DER encoded by hand, Ethernet/IPv4/UDP/TCP headers with correct checksums, classic pcap). The
encrypted parts are filler bytes (SHA-256 of a label, repeated): they have the lengths real
RC4/AES ciphertexts have but decrypt to nothing; the capture exercises decoding, pairing,
TCP record marks and hashcat-line extraction, not cracking.

Flows (client 10.0.0.7, KDC 10.0.0.1, times from 2024-01-02 03:04:05 UTC):
  1. UDP 50001 -> 88: AS-REQ for alice without pre-authentication, KRB-ERROR 25
     (KDC_ERR_PREAUTH_REQUIRED) with PA-ETYPE-INFO2 salt "CORP.LOCALAlice".
  2. UDP 50002 -> 88: AS-REQ with PA-ENC-TIMESTAMP (rc4-hmac, 52 bytes), AS-REP.
  3. TCP 50003 -> 88: handshake, TGS-REQ for MSSQLSvc/db.corp.local:1433 split over two
     segments (the 4-byte record mark in the first), TGS-REP with an rc4-hmac ticket, FINs.
  4. UDP 50004 -> 8888 (not the Kerberos port) from 10.0.0.8: AS-REQ for svc_nopreauth
     without pre-authentication answered by an AS-REP (AS-REP roasting), found by content.
  5. UDP 50005 -> 88: AS-REQ with PA-ENC-TIMESTAMP for carol, KRB-ERROR 24
     (KDC_ERR_PREAUTH_FAILED).

usage: make-kerberos-sample.py OUT.pcap
"""
import hashlib
import struct
import sys

# ---------------------------------------------------------------- DER (X.690)


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + content


def ctx(n: int, content: bytes) -> bytes:
    return tlv(0xA0 | n, content)


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def app(n: int, content: bytes) -> bytes:
    return tlv(0x60 | n, content)


def integer(v: int) -> bytes:
    length = max(1, (v.bit_length() + 8) // 8)
    return tlv(0x02, v.to_bytes(length, "big", signed=True))


def gstr(s: str) -> bytes:
    return tlv(0x1B, s.encode())


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def gtime(s: str) -> bytes:
    return tlv(0x18, s.encode())


def principal(name_type: int, *names: str) -> bytes:
    return seq(ctx(0, integer(name_type)), ctx(1, seq(*(gstr(n) for n in names))))


def enc_data(etype: int, cipher: bytes, kvno=None) -> bytes:
    fields = [ctx(0, integer(etype))]
    if kvno is not None:
        fields.append(ctx(1, integer(kvno)))
    fields.append(ctx(2, octets(cipher)))
    return seq(*fields)


def padata(pa_type: int, value: bytes) -> bytes:
    return seq(ctx(1, integer(pa_type)), ctx(2, octets(value)))


def filler(label: str, n: int) -> bytes:
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return out[:n]


REALM = "CORP.LOCAL"
PAC_REQUEST = padata(128, seq(ctx(0, tlv(0x01, b"\xff"))))


def req_body(user, sname, nonce):
    fields = [ctx(0, tlv(0x03, bytes([0, 0x40, 0x81, 0x00, 0x10])))]
    if user:
        fields.append(ctx(1, principal(1, user)))
    fields += [
        ctx(2, gstr(REALM)),
        ctx(3, principal(2, *sname)),
        ctx(5, gtime("20370913024805Z")),
        ctx(7, integer(nonce)),
        ctx(8, seq(integer(18), integer(17), integer(23))),
        ctx(9, seq(seq(ctx(0, integer(20)), ctx(1, octets(b"WS01".ljust(16)))))),
    ]
    return seq(*fields)


def as_req(user, nonce, pa_enc_timestamp=None):
    pas = [PAC_REQUEST]
    if pa_enc_timestamp is not None:
        pas.insert(0, padata(2, pa_enc_timestamp))
    return app(10, seq(ctx(1, integer(5)), ctx(2, integer(10)), ctx(3, seq(*pas)),
                       ctx(4, req_body(user, ("krbtgt", REALM), nonce))))


def tgs_req(nonce, sname):
    return app(12, seq(ctx(1, integer(5)), ctx(2, integer(12)),
                       ctx(3, seq(padata(1, filler("ap-req", 200)))),
                       ctx(4, req_body(None, sname, nonce))))


def ticket(sname, etype, cipher):
    return app(1, seq(ctx(0, integer(5)), ctx(1, gstr(REALM)), ctx(2, principal(2, *sname)),
                      ctx(3, enc_data(etype, cipher, kvno=2))))


def kdc_rep(msg_type, user, tkt, etype, cipher, pas=None):
    fields = [ctx(0, integer(5)), ctx(1, integer(msg_type))]
    if pas:
        fields.append(ctx(2, seq(*pas)))
    fields += [ctx(3, gstr(REALM)), ctx(4, principal(1, user)), ctx(5, tkt),
               ctx(6, enc_data(etype, cipher))]
    return app(msg_type, seq(*fields))


def etype_info2(etype, salt):
    return padata(19, seq(seq(ctx(0, integer(etype)), ctx(1, gstr(salt)))))


def krb_error(code, e_data=None):
    fields = [ctx(0, integer(5)), ctx(1, integer(30)), ctx(4, gtime("20240102030405Z")),
              ctx(5, integer(123456)), ctx(6, integer(code)), ctx(9, gstr(REALM)),
              ctx(10, principal(2, "krbtgt", REALM))]
    if e_data is not None:
        fields.append(ctx(12, octets(e_data)))
    return tlv(0x7E, seq(*fields))


# ---------------------------------------------------------------- packets


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a: str) -> bytes:
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload, ident):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                         ip4(src), ip4(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def l4_checksum(src, dst, proto, segment):
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, len(segment))
    return checksum(pseudo + segment)


def udp(src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = l4_checksum(src, dst, 17, seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def tcp(src, dst, sport, dport, seq_no, ack_no, flags, payload=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq_no, ack_no, 5 << 4, flags, 65535, 0, 0)
    seg += payload
    c = l4_checksum(src, dst, 6, seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def mac(address: str) -> bytes:
    """A locally administered MAC ending in the host's last address octet."""
    return bytes([2, 0, 0, 0, 0, int(address.split(".")[-1])])


def ether(src: str, dst: str, ip_packet: bytes) -> bytes:
    return mac(dst) + mac(src) + b"\x08\x00" + ip_packet


class Capture:
    def __init__(self):
        self.frames = []
        self.t = 1704164645 * 1_000_000  # 2024-01-02T03:04:05Z, microseconds
        self.ident = 1

    def add(self, client, kdc, from_client, proto_packet, proto):
        src, dst = (client, kdc) if from_client else (kdc, client)
        self.t += 1500
        self.ident += 1
        frame = ether(src, dst, ipv4(src, dst, proto, proto_packet, self.ident))
        self.frames.append((self.t, frame))

    def udp(self, client, kdc, cport, kport, from_client, payload):
        sport, dport = (cport, kport) if from_client else (kport, cport)
        src, dst = (client, kdc) if from_client else (kdc, client)
        self.add(client, kdc, from_client, udp(src, dst, sport, dport, payload), 17)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, frame in self.frames:
                f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
                f.write(frame)


def framed(msg: bytes) -> bytes:
    return struct.pack("!I", len(msg)) + msg


def main():
    out = sys.argv[1]
    cap = Capture()
    client, kdc = "10.0.0.7", "10.0.0.1"

    # 1. Pre-authentication required.
    cap.udp(client, kdc, 50001, 88, True, as_req("alice", 1001))
    cap.udp(client, kdc, 50001, 88, False,
            krb_error(25, seq(etype_info2(23, "CORP.LOCALAlice"), padata(2, b""))))

    # 2. Pre-authenticated AS-REQ (rc4-hmac: 16-byte checksum + 36-byte encrypted timestamp).
    pa = enc_data(23, filler("pa-enc-timestamp", 52))
    cap.udp(client, kdc, 50002, 88, True, as_req("alice", 1002, pa))
    cap.udp(client, kdc, 50002, 88, False,
            kdc_rep(11, "alice", ticket(("krbtgt", REALM), 18, filler("tgt", 300)), 23,
                    filler("as-rep-enc", 220), [etype_info2(23, "CORP.LOCALAlice")]))

    # 3. TGS exchange over TCP: the request split over two segments.
    c_isn, s_isn, cp = 1000, 5000, 50003

    def seg(from_client, seq_no, ack_no, flags, payload=b""):
        src, dst = (client, kdc) if from_client else (kdc, client)
        sport, dport = (cp, 88) if from_client else (88, cp)
        cap.add(client, kdc, from_client, tcp(src, dst, sport, dport, seq_no, ack_no, flags,
                                              payload), 6)

    syn, ack, psh, fin = 0x02, 0x10, 0x08, 0x01
    seg(True, c_isn, 0, syn)
    seg(False, s_isn, c_isn + 1, syn | ack)
    seg(True, c_isn + 1, s_isn + 1, ack)
    req = framed(tgs_req(1003, ("MSSQLSvc", "db.corp.local:1433")))
    first, second = req[:30], req[30:]
    seg(True, c_isn + 1, s_isn + 1, psh | ack, first)
    seg(True, c_isn + 1 + len(first), s_isn + 1, psh | ack, second)
    rep = framed(kdc_rep(13, "alice", ticket(("MSSQLSvc", "db.corp.local:1433"), 23,
                                              filler("service-ticket", 400)),
                         18, filler("tgs-rep-enc", 180)))
    c_next = c_isn + 1 + len(req)
    seg(False, s_isn + 1, c_next, psh | ack, rep)
    seg(True, c_next, s_isn + 1 + len(rep), fin | ack)
    seg(False, s_isn + 1 + len(rep), c_next + 1, fin | ack)
    seg(True, c_next + 1, s_isn + 2 + len(rep), ack)

    # 4. AS-REP roasting on port 8888 from another host.
    other = "10.0.0.8"
    cap.udp(other, kdc, 50004, 8888, True, as_req("svc_nopreauth", 1004))
    cap.udp(other, kdc, 50004, 8888, False,
            kdc_rep(11, "svc_nopreauth", ticket(("krbtgt", REALM), 18, filler("tgt2", 300)), 23,
                    filler("roast-enc", 210)))

    # 5. Wrong password.
    cap.udp(client, kdc, 50005, 88, True,
            as_req("carol", 1005, enc_data(23, filler("carol-pa", 52))))
    cap.udp(client, kdc, 50005, 88, False, krb_error(24))

    cap.write(out)


if __name__ == "__main__":
    main()
