# Writes the hand-built SMB1 fuzz seeds into the directory given (see README.md):
#   python3 make_smb1_seeds.py forensics/streams/smb/fuzz/corpus
import struct, sys, os
def hdr(cmd, resp, mid, tid, uid=0x800, pid=0x1234, status=0, unicode=True):
    return (b'\xffSMB' + bytes([cmd]) + struct.pack('<IBH', status, 0x98 if resp else 0x18, 0x4807 | (0x8000 if unicode else 0))
            + struct.pack('<H', pid >> 16) + b'\0'*10 + struct.pack('<HHHH', tid, pid & 0xffff, uid, mid))
def block(words, data):
    return bytes([len(words)//2]) + words + struct.pack('<H', len(data)) + data
ANDX = b'\xff\x00\x00\x00'
def sstr(s, uni, at):
    if uni:
        return (b'\0' if at % 2 else b'') + s.encode('utf-16-le') + b'\0\0'
    return s.encode() + b'\0'
def msg(h, cmds, andx_cmds=(0x2d,0x2e,0x2f,0x73,0x74,0x75,0xa2,0x24)):
    m = bytearray(h[:4] + bytes([cmds[0][0]]) + h[5:])
    at = []
    for c, fn in cmds:
        at.append(len(m)); m += fn(len(m))
    for i,(c,fn) in enumerate(cmds):
        if c in andx_cmds and m[at[i]] >= 2:
            last = i+1 == len(cmds)
            nxt = 0 if last else at[i+1]
            m[at[i]+1] = 0xff if last else cmds[i+1][0]
            m[at[i]+3:at[i]+5] = struct.pack('<H', nxt)
    return bytes(m)
def frame(m): return b'\0' + struct.pack('>I', len(m))[1:] + m
def tc_req(path):
    return (0x75, lambda at: block(ANDX + struct.pack('<HH', 0, 1), b'\0' + sstr(path, True, at + 1 + 8 + 2 + 1) + b'?????\0'))
def tc_resp(svc): return (0x75, lambda at: block(ANDX + struct.pack('<H', 1), svc.encode() + b'\0'))
def create_req(name):
    def f(at):
        w = ANDX + b'\0' + struct.pack('<HIIIQIIIIIB', len(name)*2, 0x16, 0, 0x12019f, 0, 0x80, 7, 5, 0x40, 2, 0)
        return block(w, sstr(name, True, at + 1 + len(w) + 2))
    return (0xa2, f)
def create_resp(fid, eof, ext=True, rt=0):
    def f(at):
        w = ANDX + b'\0' + struct.pack('<HI', fid, 2) + b'\0'*32 + struct.pack('<IQQHHB', 0x20, 4096, eof, rt, 0, 0)
        if not ext: return block(w, b'')
        return b'\x2a' + w + b'\0'*32 + b'\0\0'
    return (0xa2, f)
def write_req(fid, off, data, high=True):
    def f(at):
        nw = 28 if high else 24
        w = ANDX + struct.pack('<HIIHHHHH', fid, off & 0xffffffff, 0, 0, 0, len(data) >> 16, len(data) & 0xffff, at + 1 + nw + 2 + 1)
        if high: w += struct.pack('<I', off >> 32)
        return block(w, b'\0' + data)
    return (0x2f, f)
def write_resp(n): return (0x2f, lambda at: block(ANDX + struct.pack('<HHI', n, 0xffff, 0), b''))
def read_req(fid, off):
    return (0x2e, lambda at: block(ANDX + struct.pack('<HIHHIHI', fid, off & 0xffffffff, 0xf000, 0xf000, 0, 0, off >> 32), b''))
def read_resp(data):
    return (0x2e, lambda at: block(ANDX + struct.pack('<HHHHHH', 0xffff, 0, 0, len(data) & 0xffff, at + 1 + 24 + 2 + 1, len(data) >> 16) + b'\0'*8, b'\0' + data))
def close_req(fid): return (0x04, lambda at: block(struct.pack('<HI', fid, 0xffffffff), b''))
def empty(c): return (c, lambda at: block(b'', b''))
def req(mid, tid=7): return hdr(0, False, mid, tid)
def resp(mid, tid=7, st=0): return hdr(0, True, mid, tid, status=st)

client = b''.join(frame(x) for x in [
    msg(req(1, 0xffff), [tc_req('\\\\srv\\ADMIN$'), create_req('\\WINDOWS\\a.exe')]),
    msg(req(2), [write_req(0x4001, 0, b'MZ' + b'\x90'*62, False)]),
    msg(req(3), [write_req(0x4001, (1 << 32) + 64, b'PE\0\0' + b'\x41'*60)]),
    msg(req(4), [read_req(0x4001, 0)]),
    msg(req(5), [close_req(0x4001)]),
])
server = b''.join(frame(x) for x in [
    msg(resp(1), [tc_resp('A:'), create_resp(0x4001, 0)]),
    msg(resp(2), [write_resp(64)]),
    msg(resp(3), [write_resp(64)]),
    msg(resp(4), [read_resp(b'MZ' + b'\x90'*30)]),
    msg(resp(5), [empty(0x04)]),
])
bad = bytearray(msg(req(1, 0xffff), [tc_req('\\\\srv\\d'), (0x74, lambda at: block(ANDX, b''))]))
bad[35:37] = struct.pack('<H', 32)  # AndXOffset back to the first command
out = sys.argv[1]
open(os.path.join(out, 'smb1-files-client'), 'wb').write(b'\x3c' + client)
open(os.path.join(out, 'smb1-files-server'), 'wb').write(b'\x3c' + server)
open(os.path.join(out, 'smb1-andx-backwards'), 'wb').write(b'\x3c' + frame(bytes(bad)))
