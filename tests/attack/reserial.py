#!/usr/bin/python3
"""reserial.py CERT.pem ISSUER.key OUT.pem PREFIX_HEX

Rewrites a certificate's serialNumber INTEGER by prefixing its content
octets with PREFIX_HEX (e.g. "00": a redundant leading zero, which DER
forbids) and re-signs the TBSCertificate with the issuer's EC key, so the
result is a validly signed certificate with a non-canonical serial: what a
sloppy CA could issue. Test tool only (Debian python3-cryptography).
"""
import sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def read_tlv(b, i):
    tag = b[i]
    n = b[i + 1]
    if n < 0x80:
        return tag, i + 2, n
    k = n & 0x7F
    return tag, i + 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")


def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(ln)]) + ln
    return bytes([tag]) + head + content


def main():
    cert_pem, key_path, out_path, prefix = sys.argv[1:5]
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(open(cert_pem, "rb").read())
    b = cert.public_bytes(serialization.Encoding.DER)
    _, c0, _ = read_tlv(b, 0)               # Certificate SEQUENCE
    _, t0, tlen = read_tlv(b, c0)           # TBSCertificate
    tbs = b[t0:t0 + tlen]
    i = 0
    tag, v, n = read_tlv(tbs, i)            # [0] version
    parts = [tbs[i:v + n]]
    i = v + n
    tag, v, n = read_tlv(tbs, i)            # serialNumber
    serial = bytes.fromhex(prefix) + tbs[v:v + n]
    parts.append(tlv(0x02, serial))
    parts.append(tbs[v + n:])
    new_tbs = tlv(0x30, b"".join(parts))
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), None)
    sig = key.sign(new_tbs, ec.ECDSA(hashes.SHA256()))
    _, a0, alen = read_tlv(b, t0 + tlen)    # signatureAlgorithm
    alg = b[t0 + tlen:a0 + alen]
    out = tlv(0x30, new_tbs + alg + tlv(0x03, b"\x00" + sig))
    with open(out_path, "w") as f:
        import base64
        s = base64.b64encode(out).decode()
        f.write("-----BEGIN CERTIFICATE-----\n")
        for k in range(0, len(s), 64):
            f.write(s[k:k + 64] + "\n")
        f.write("-----END CERTIFICATE-----\n")


main()
