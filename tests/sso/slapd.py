"""A real OpenLDAP server (Debian's slapd) in a temporary directory, for the LDAP sign-in tests.

    directory = Slapd(bind_password=...).start()   # ldap://127.0.0.1:<free port>/
    directory.set_groups("alice", ["ops-viewers"])  # rewrite who is in which group
    directory.stop()

People under ou=people (uid, password "<uid>-directory-pw"), groups under ou=groups: groupOfNames
ops-admins and ops-viewers (members by DN), posixGroup data-team (members by uid). The console
binds as cn=console,ou=services with the given password; anonymous reads are refused, as in
most company directories.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if os.path.exists("/usr/sbin/slapd") else None)
SLAPADD = shutil.which("slapadd") or ("/usr/sbin/slapadd" if os.path.exists("/usr/sbin/slapadd") else None)
SUFFIX = "dc=example,dc=org"
ROOT_DN, ROOT_PASSWORD = f"cn=admin,{SUFFIX}", "root-directory-pw"
BIND_DN = f"cn=console,ou=services,{SUFFIX}"
PEOPLE = {"alice": ["ops-admins"], "bob": ["ops-viewers"], "carol": [], "dave": ["data-team"]}
DN_GROUPS = ["ops-admins", "ops-viewers"]  # groupOfNames
UID_GROUPS = ["data-team"]  # posixGroup
PLACEHOLDER = f"cn=placeholder,{SUFFIX}"  # a groupOfNames needs one member even when no person is in it

CONF = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {dir}/db
"""


def password_of(uid: str) -> str:
    return f"{uid}-directory-pw"


def person_dn(uid: str) -> str:
    return f"uid={uid},ou=people,{SUFFIX}"


def group_dn(name: str) -> str:
    return f"cn={name},ou=groups,{SUFFIX}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ldif(bind_password: str) -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups",
        f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services",
        f"dn: {BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: console\n"
        f"userPassword: {bind_password}",
    ]
    for number, uid in enumerate(PEOPLE, start=1):
        entries.append(f"dn: {person_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid.title()} Example\n"
                       f"sn: Example\ngivenName: {uid.title()}\nmail: {uid}@example.org\n"
                       f"userPassword: {password_of(uid)}\nemployeeNumber: {number}")
    for name in DN_GROUPS:
        entries.append(f"dn: {group_dn(name)}\nobjectClass: groupOfNames\ncn: {name}\nmember: {PLACEHOLDER}")
    for number, name in enumerate(UID_GROUPS, start=5000):
        entries.append(f"dn: {group_dn(name)}\nobjectClass: posixGroup\ncn: {name}\ngidNumber: {number}")
    return "\n\n".join(entries) + "\n"


class Slapd:
    def __init__(self, *, bind_password: str):
        self.bind_password = bind_password
        self.dir = Path(tempfile.mkdtemp(prefix="console-slapd-"))
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None

    def start(self) -> Slapd:
        (self.dir / "db").mkdir()
        conf = self.dir / "slapd.conf"
        conf.write_text(CONF.format(dir=self.dir, suffix=SUFFIX, root_dn=ROOT_DN, root_password=ROOT_PASSWORD))
        (self.dir / "data.ldif").write_text(_ldif(self.bind_password))
        subprocess.run([SLAPADD, "-q", "-f", str(conf), "-l", str(self.dir / "data.ldif")], check=True,
                       capture_output=True)
        # -d 0: stay in the foreground (the fixture owns the process) and print nothing
        self.process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", self.uri, "-d", "0"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                self._admin().unbind_s()
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        else:
            raise RuntimeError("slapd did not answer within 15 s")
        self.reset()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _admin(self):
        import ldap

        connection = ldap.initialize(self.uri, bytes_mode=False)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, 2)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def set_groups(self, uid: str, groups: list[str]) -> None:
        """Put `uid` in exactly these groups (as a directory admin would)."""
        import ldap

        connection = self._admin()
        try:
            for name in DN_GROUPS:
                _, attrs = connection.search_s(group_dn(name), ldap.SCOPE_BASE, attrlist=["member"])[0]
                members = {m.decode() for m in attrs.get("member", [])} - {person_dn(uid)}
                members |= {person_dn(uid)} if name in groups else set()
                connection.modify_s(group_dn(name), [(ldap.MOD_REPLACE, "member", sorted(m.encode() for m in members))])
            for name in UID_GROUPS:
                _, attrs = connection.search_s(group_dn(name), ldap.SCOPE_BASE, attrlist=["memberUid"])[0]
                members = {m.decode() for m in attrs.get("memberUid", [])} - {uid}
                members |= {uid} if name in groups else set()
                connection.modify_s(group_dn(name), [(ldap.MOD_REPLACE, "memberUid",
                                                      sorted(m.encode() for m in members) or None)])
        finally:
            connection.unbind_s()

    def reset(self) -> None:
        for uid, groups in PEOPLE.items():
            self.set_groups(uid, groups)
