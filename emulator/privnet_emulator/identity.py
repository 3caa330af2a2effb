"""An Entra ID stand-in: OpenID discovery, instance discovery and the v2 token endpoint.

Access tokens are HS256 JWTs signed with a key that lives only in this process, so ARM
can check signature and expiry the way the real one does.

Tenants (tenants.py holds ARM's side): the token endpoint issues a token for the tenant of its path
(/{tenant}/oauth2/v2.0/token; `organizations` and `common` sign into the default tenant), with that tenant in
its `tid` claim and issuer, as Entra ID's access tokens carry the tenant they were issued for (Microsoft Learn
identity-platform access-tokens.md, `tid` and `iss` claims). The emulator's client id is a multi-tenant application:
it exists in the tenants of store.app_tenants only (default: the default tenant; a scenario's `tenants:` entry
with `client: true` adds one). A tenant the emulator does not know is 400 AADSTS90002 (tenant not found); a
known tenant where the client does not exist is 400 unauthorized_client AADSTS700016 (application not found in
the directory), whose full wording is quoted in Azure/azure-sdk-for-python #8314 and many sign-in threads
(e.g. AzureADQuickStarts/AppModelv2-WebApp-OpenIDConnect-DotNet #50).
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import time
import uuid
from urllib.parse import parse_qs

from . import clouds
from .errors import ArmError

TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Identity:
    def __init__(self, emulator, tenant, client_id, client_secret):
        self.emu = emulator
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = os.urandom(32)
        self.token_lifetime = 3599

    # ---- discovery ----------------------------------------------------------
    def openid_configuration(self, base, tenant):
        issuer = f"{base}/{tenant}/v2.0"
        return {
            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": issuer,
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{base}/oidc/userinfo",
            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "appid"],
            "kerberos_endpoint": f"{base}/{tenant}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": base.split("//", 1)[1],
            "cloud_graph_host_name": base.split("//", 1)[1],
            "msgraph_host": base.split("//", 1)[1],
        }

    def instance_discovery(self, base, query):
        host = base.split("//", 1)[1]
        authorize = query.get("authorization_endpoint", f"{base}/common/oauth2/v2.0/authorize")
        tenant = authorize.split("//", 1)[-1].split("/")[1] if "//" in authorize else "common"
        return {
            "tenant_discovery_endpoint": f"{base}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }

    # ---- token endpoint -----------------------------------------------------
    def token(self, base, tenant, raw_body):
        """Return (status, body) for POST /{tenant}/oauth2/v2.0/token."""
        form = {k: v[0] for k, v in parse_qs(raw_body.decode("utf-8", "replace")).items()}
        tid = self.resolve_tenant(tenant)
        if tid is None:
            return self._aad_error(400, "invalid_request", 90002,
                                   f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                                   "and are signing into the correct cloud.")
        if form.get("grant_type") != "client_credentials":
            return self._aad_error(400, "unsupported_grant_type", 70003,
                                   "The app requested an unsupported grant type.")
        client_id = form.get("client_id", "")
        if client_id != self.client_id or tid not in self.emu.store.app_tenants:
            return self._aad_error(400, "unauthorized_client", 700016,
                                   f"Application with identifier '{client_id}' was not found in the directory "
                                   f"'{tenant}'. This can happen if the application has not been installed by the "
                                   "administrator of the tenant or consented to by any user in the tenant. You may "
                                   "have sent your authentication request to the wrong tenant.")
        if "client_assertion" in form:
            problem = self._assertion_problem(form["client_assertion"])
            if problem:
                return self._aad_error(401, "invalid_client", *problem)
        elif not hmac.compare_digest(form.get("client_secret", ""), self.client_secret):
            return self._aad_error(401, "invalid_client", 7000215,
                                   "Invalid client secret provided. Ensure the secret being sent in the request is "
                                   "the client secret value, not the client secret ID, for a secret added to app "
                                   f"'{client_id}'.")
        scope = form.get("scope", "")
        resource = scope.split()[0][: -len(".default")] if scope.endswith(".default") else scope
        now = int(time.time())
        lifetime = self.token_lifetime
        claims = {"aud": resource, "iss": issuer(base, tid), "iat": now, "nbf": now,
                  "exp": now + lifetime, "appid": client_id, "oid": client_id, "sub": client_id,
                  "tid": tid, "idtyp": "app", "ver": "1.0"}
        return 200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                     "access_token": self._sign(claims)}

    def resolve_tenant(self, tenant):
        """The tenant id a token request's path names, or None when the emulator knows no such tenant."""
        wanted = tenant.lower()
        if wanted in ("organizations", "common"):
            return self.tenant
        return next((t for t in self.emu.store.tenants if t.lower() == wanted), None)

    def _assertion_problem(self, assertion):
        """(AADSTS code, description) when a federated assertion is refused, else None.

        Emulator convention: the assertion's signature is not checked (no issuer keys to fetch);
        its audience and expiry are, with Entra ID's codes for each.
        """
        try:
            payload = json.loads(_unb64(assertion.split(".")[1]))
        except (ValueError, IndexError):
            return 50027, "JWT token is invalid or malformed."
        if not isinstance(payload, dict):
            return 50027, "JWT token is invalid or malformed."
        aud = payload.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if TOKEN_EXCHANGE_AUDIENCE not in auds:
            return 700212, f"No matching federated identity record found for presented assertion audience '{aud}'."
        if payload.get("exp", 0) <= time.time():
            return 700024, "Client assertion is not within its valid time range."
        return None

    def _aad_error(self, status, error, code, description):
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return status, {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {correlation} "
                                 f"Timestamp: {stamp}",
            "error_codes": [code], "timestamp": stamp, "trace_id": trace, "correlation_id": correlation,
            # Entra ID's sign-in host in the emulator's cloud (azure-cli cloud.py `active_directory`; clouds.py).
            "error_uri": f"https://{clouds.of(self.emu).login_host}/error?code={code}",
        }

    def _sign(self, claims):
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "privnet-emulator"}).encode())
        payload = _b64(json.dumps(claims).encode())
        sig = hmac.new(self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64(sig)}"

    # ---- ARM side -------------------------------------------------------------
    def authenticate(self, authorization):
        """Check an ARM request's bearer token; raise the ARM 401 envelope when it is not valid."""
        if not authorization:
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or token.count(".") != 2:
            raise ArmError(401, "AuthenticationFailed",
                           "Authentication failed. The 'Authorization' header is provided in an invalid format.")
        claims = self.verify(token)
        if claims is None:
            raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.")
        if expired(claims):
            raise ArmError(401, "ExpiredAuthenticationToken", expiry_message("The access token", claims))
        return claims

    def verify(self, token):
        """The claims of a token this emulator signed, else None (expiry is not checked here)."""
        try:
            header, payload, sig = token.split(".")
            expected = hmac.new(self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            valid = hmac.compare_digest(_unb64(sig), expected)
            claims = json.loads(_unb64(payload))
        except ValueError:
            return None
        return claims if valid and isinstance(claims, dict) else None


def issuer(base, tenant):
    """The `iss` of a token issued for `tenant` (Entra ID's v1 issuer names the tenant: https://sts.windows.net/{tid}/;
    the emulator's is its own URL with the tenant)."""
    return f"{base}/{tenant}/"


def expired(claims):
    return claims.get("exp", 0) <= time.time()


def expiry_message(what, claims):
    stamp = datetime.datetime.fromtimestamp(claims.get("exp", 0), datetime.timezone.utc)
    return (f"{what} expiry UTC time '{stamp:%m/%d/%Y %I:%M:%S %p}' is earlier than "
            f"current UTC time '{datetime.datetime.now(datetime.timezone.utc):%m/%d/%Y %I:%M:%S %p}'.")
