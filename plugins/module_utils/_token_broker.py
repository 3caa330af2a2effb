# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One token per credential for every module run on a controller: an in-memory token broker.

Each module run is a new process; left alone, each one signs in again (a token request to Entra ID
per task and host, which Entra ID throttles). The first module run that needs a token forks a small
daemon that keeps that run's credential, and with it azure-identity's in-memory token cache. Later
module runs with the same credential ask the daemon over a Unix socket. Nothing is written to disk
but the socket: tokens and secrets stay in process memory.

Access control:
- the socket lives in a directory only the user can enter (0700, owned by the user, not a symlink);
- the daemon answers only peers of the same uid (SO_PEERCRED);
- the socket's name and a proof each request carries are derived from the whole credential (secret
  included), so a run with another secret never gets this credential's tokens.

The daemon exits after ``PRIVNET_AZURE_TOKEN_BROKER_IDLE`` seconds without a request (default 120),
or when its socket is removed. ``PRIVNET_AZURE_TOKEN_BROKER=off`` turns the broker off: every module
run then signs in itself. Any trouble with the broker (no Unix sockets, an unsafe directory, a daemon
that does not answer) falls back to the credential itself; a sign-in error is the credential's own.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import stat
import struct
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn, Optional

try:
    import fcntl
except ImportError:  # not a POSIX controller: no broker
    fcntl = None  # type: ignore[assignment]

try:
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import ClientAuthenticationError
except ImportError:  # AzureModule fails first, naming azure-core
    pass

SWITCH_VARIABLE = "PRIVNET_AZURE_TOKEN_BROKER"
IDLE_VARIABLE = "PRIVNET_AZURE_TOKEN_BROKER_IDLE"
DEFAULT_IDLE_SECONDS = 120.0
MAX_LIFETIME_SECONDS = 12 * 3600.0
# A token request may take azure-identity's own retries (a few seconds, longer for a slow IdP).
ANSWER_TIMEOUT_SECONDS = 120.0
MAX_MESSAGE_BYTES = 1 << 20
OFF_VALUES = frozenset(("0", "off", "false", "no", "disabled"))


class BrokerUnavailable(Exception):
    """No daemon answered; the caller starts one or uses the credential itself."""


class BrokeredCredential:
    """A credential whose ``get_token`` goes through the controller's token broker for ``identity``.

    ``identity`` is what names the credential, ``secret`` its secrets (secret, password, certificate):
    bytes the caller built from the inputs of the credential. Both name the socket and derive the proof
    a request carries.
    """

    def __init__(self, credential: Any, identity: bytes, secret: bytes, directory: str, idle: float) -> None:
        self.credential = credential
        # Secrets are part of the name: a run with a rotated or wrong secret gets its own daemon. Only this
        # user can list the directory.
        name = hashlib.sha256(b"privnet.azure token broker\0" + identity + b"\0" + secret).hexdigest()[:32]
        self.path = os.path.join(directory, name + ".sock")
        self.lock_path = os.path.join(directory, name + ".lock")
        self.proof = hmac.new(hashlib.sha256(identity + b"\0" + secret).digest(), b"privnet.azure token broker proof",
                              hashlib.sha256).hexdigest()
        self.idle = idle
        self.broken = False  # after a broker failure this run uses the credential itself

    def get_token(self, *scopes: str, claims: Optional[str] = None, tenant_id: Optional[str] = None,
                  enable_cae: bool = False, **kwargs: Any) -> Any:
        request = {"proof": self.proof, "scopes": list(scopes), "claims": claims, "tenant_id": tenant_id,
                   "enable_cae": enable_cae}
        answer = None if self.broken or kwargs else self._ask(request)
        if answer is None:
            self.broken = True
            options = dict(kwargs, **{k: v for k, v in (("claims", claims), ("tenant_id", tenant_id)) if v})
            if enable_cae:
                options["enable_cae"] = True
            return self.credential.get_token(*scopes, **options)
        if "error" in answer:
            # The sign-in failed in the daemon: the same error the credential would have raised here.
            raise ClientAuthenticationError(message=str(answer.get("message") or answer["error"]))
        return AccessToken(str(answer["token"]), int(answer["expires_on"]))

    def _ask(self, request: dict[str, Any]) -> Optional[dict[str, Any]]:
        """The daemon's answer, starting the daemon if none runs; None if there is no usable daemon."""
        try:
            return exchange(self.path, request)
        except BrokerUnavailable:
            pass
        except (OSError, ValueError):
            return None
        try:
            with _locked(self.lock_path) as lock:
                try:  # another module run may have started it while this one waited for the lock
                    return exchange(self.path, request)
                except BrokerUnavailable:
                    pass
                start(self.path, self.credential, self.proof, self.idle, release=lock)
            return exchange(self.path, request)
        except (OSError, ValueError, BrokerUnavailable):
            return None


def brokered(credential: Any, identity: bytes, secret: bytes,
             environ: Optional[Mapping[str, str]] = None) -> Any:
    """``credential`` behind the controller's token broker, or ``credential`` itself when the broker is
    off or cannot be used safely here."""
    environ = os.environ if environ is None else environ
    if (environ.get(SWITCH_VARIABLE, "") or "on").strip().lower() in OFF_VALUES:
        return credential
    if fcntl is None or not hasattr(socket, "AF_UNIX") or not hasattr(os, "fork"):
        return credential
    directory = private_directory(environ)
    if directory is None:
        return credential
    return BrokeredCredential(credential, identity, secret, directory, idle_seconds(environ))


def idle_seconds(environ: Mapping[str, str]) -> float:
    try:
        value = float(environ.get(IDLE_VARIABLE, "") or DEFAULT_IDLE_SECONDS)
    except ValueError:
        return DEFAULT_IDLE_SECONDS
    return min(max(value, 1.0), MAX_LIFETIME_SECONDS)


def private_directory(environ: Mapping[str, str]) -> Optional[str]:
    """A directory only this user can enter, created if needed; None if the one found is not safe."""
    uid = os.getuid()
    runtime = environ.get("XDG_RUNTIME_DIR")
    base = runtime if runtime and _is_private(runtime, uid) else tempfile.gettempdir()
    directory = os.path.join(base, f"privnet-azure-{uid}")
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    # 108 bytes is the longest Unix socket path Linux takes; the name adds 38.
    if not _is_private(directory, uid) or len(directory) > 60:
        return None
    return directory


def _is_private(path: str, uid: int) -> bool:
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o077


@contextmanager
def _locked(path: str) -> Iterator[int]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield descriptor
    finally:
        os.close(descriptor)


# ---- the wire: one JSON object each way, newline-terminated ------------------------------------

def exchange(path: str, request: dict[str, Any]) -> dict[str, Any]:
    """Send one request to the daemon at ``path`` and return its answer. BrokerUnavailable when no
    daemon listens there."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(ANSWER_TIMEOUT_SECONDS)
        try:
            client.connect(path)
        except (FileNotFoundError, ConnectionRefusedError) as exc:
            raise BrokerUnavailable(str(exc)) from None
        client.sendall(json.dumps(request).encode() + b"\n")
        answer = json.loads(_read_line(client))
        if not isinstance(answer, dict) or not ("token" in answer or "error" in answer):
            raise ValueError("the token broker gave no answer")
        return answer
    finally:
        client.close()


def _read_line(connection: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_MESSAGE_BYTES:
            raise ValueError("message too long")
    return data


# ---- the daemon --------------------------------------------------------------------------------

def start(path: str, credential: Any, proof: str, idle: float, release: Optional[int] = None) -> None:
    """Bind the socket at ``path``, then fork the daemon that serves it. Returns once the socket
    listens, so the caller's next request queues until the daemon accepts it. ``release``: the
    descriptor of the start lock, which the daemon closes."""
    try:
        os.unlink(path)  # a daemon that died left its socket
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old_mask)
    listener.listen(128)
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked process
        try:
            # A flock belongs to the open file, which fork shares: a daemon keeping the descriptor would hold
            # the start lock for its whole life, and the next start (its socket removed) would wait for it.
            if release is not None:
                os.close(release)
            os.setsid()
            if os.fork() == 0:
                _serve(listener, path, credential, proof, idle)
        finally:
            os._exit(0)
    listener.close()
    os.waitpid(child, 0)


def _serve(listener: socket.socket, path: str, credential: Any, proof: str,
           idle: float) -> NoReturn:  # pragma: no cover - runs in the forked daemon
    """The daemon's loop: answer token requests until idle, then remove the socket and exit."""
    try:
        # Let go of the module's stdin, stdout and stderr (Ansible reads the module's output until they
        # close) and of its working directory (AnsiballZ removes its temporary directory).
        devnull = os.open(os.devnull, os.O_RDWR)
        for descriptor in (0, 1, 2):
            os.dup2(devnull, descriptor)
        os.chdir("/")
        _name_process(b"privnet-tokens")
        inode = os.stat(path).st_ino
        started = last = time.monotonic()
        listener.settimeout(min(idle, 30.0))
        while time.monotonic() - last < idle and time.monotonic() - started < MAX_LIFETIME_SECONDS:
            try:
                connection = listener.accept()[0]
            except socket.timeout:
                if _replaced(path, inode):
                    break
                continue
            last = time.monotonic()
            with connection:
                _answer(connection, credential, proof)
        if not _replaced(path, inode):
            os.unlink(path)
    finally:
        os._exit(0)


def _name_process(name: bytes) -> None:  # pragma: no cover - runs in the forked daemon
    """Show the daemon as ``name`` in ps and pgrep (Linux prctl PR_SET_NAME), not as the module it came from."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(15, name, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _replaced(path: str, inode: int) -> bool:
    try:
        return os.stat(path).st_ino != inode
    except OSError:
        return True


def _answer(connection: socket.socket, credential: Any, proof: str) -> None:  # pragma: no cover - daemon
    try:
        connection.settimeout(ANSWER_TIMEOUT_SECONDS)
        if not _same_user(connection):
            return
        request = json.loads(_read_line(connection))
        if not hmac.compare_digest(str(request.get("proof", "")), proof):
            return  # another credential under the same name: the caller signs in itself
        answer = token_answer(credential, request)
        connection.sendall(json.dumps(answer).encode() + b"\n")
    except Exception:  # one bad request never stops the daemon
        return


def token_answer(credential: Any, request: Mapping[str, Any]) -> dict[str, Any]:
    """What the daemon sends back for ``request``: the token, or the sign-in error's type and message."""
    options = {k: request[k] for k in ("claims", "tenant_id") if request.get(k)}
    if request.get("enable_cae"):
        options["enable_cae"] = True
    try:
        token = credential.get_token(*[str(s) for s in request.get("scopes") or []], **options)
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    return {"token": token.token, "expires_on": int(token.expires_on)}


def _same_user(connection: socket.socket) -> bool:
    """True when the peer runs as this user (Linux SO_PEERCRED; elsewhere the directory's mode decides)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    credentials = connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())
