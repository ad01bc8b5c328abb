#!/usr/bin/env python3
"""A small ONVIF device service for the tests (camsim speaks RTSP only).

Answers GetDeviceInformation at /onvif/device_service, behind HTTP digest
authentication (RFC 7616, MD5, qop=auth) and, when the request carries one,
a WS-UsernameToken PasswordDigest that must verify too. Anything else, or a
wrong user or password, is refused as a camera would refuse it. Each
request is logged with what it proved (never the password).

  onvif_responder.py PORT READY_FILE USER PASSWORD MAKER MODEL FIRMWARE SERIAL
"""
import base64
import hashlib
import http.server
import os
import re
import sys

port, ready, user, password, maker, model, firmware, serial = sys.argv[1:9]
password = os.environ.get("ONVIF_PASSWORD", password)  # kept out of the process list when given
REALM = "IP Camera(onvif)"
NONCES = set()


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("onvif: " + (fmt % args) + "\n")

    def challenge(self):
        nonce = base64.b64encode(os.urandom(16)).decode()
        NONCES.add(nonce)
        self.send_response(401)
        self.send_header("WWW-Authenticate", f'Digest realm="{REALM}", qop="auth", nonce="{nonce}", algorithm=MD5')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def digest_ok(self):
        h = self.headers.get("Authorization", "")
        if not h.startswith("Digest "):
            return False
        f = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', h[7:])}
        if f.get("username") != user or f.get("nonce") not in NONCES:
            return False
        ha1 = md5(f"{user}:{REALM}:{password}")
        ha2 = md5(f"POST:{f.get('uri')}")
        want = md5(f"{ha1}:{f['nonce']}:{f.get('nc')}:{f.get('cnonce')}:{f.get('qop')}:{ha2}")
        return want == f.get("response")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8", "replace")
        if not self.digest_ok():
            self.log_message("%s", "no valid digest: 401")
            return self.challenge()
        tok = re.search(r"<Password[^>]*>([^<]*)</Password>.*?<Nonce[^>]*>([^<]*)</Nonce>.*?<Created[^>]*>([^<]*)</Created>",
                        body, re.S)
        if tok:
            d, n, c = tok.groups()
            want = base64.b64encode(hashlib.sha1(base64.b64decode(n) + c.encode() + password.encode()).digest()).decode()
            if d != want:
                self.log_message("%s", "UsernameToken digest wrong: 401")
                return self.challenge()
        if "GetDeviceInformation" not in body:
            self.send_response(400)
            self.end_headers()
            return
        self.log_message("%s", "GetDeviceInformation answered (digest%s)" % (" + UsernameToken" if tok else ""))
        out = ('<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" '
               'xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><SOAP-ENV:Body><tds:GetDeviceInformationResponse>'
               f"<tds:Manufacturer>{esc(maker)}</tds:Manufacturer><tds:Model>{esc(model)}</tds:Model>"
               f"<tds:FirmwareVersion>{esc(firmware)}</tds:FirmwareVersion><tds:SerialNumber>{esc(serial)}</tds:SerialNumber>"
               "<tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


srv = http.server.HTTPServer(("127.0.0.1", int(port)), Handler)
open(ready, "w").close()
srv.serve_forever()
