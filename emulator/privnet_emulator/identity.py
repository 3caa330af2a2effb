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
Users and the ROPC grant (users(), add_user(), _password_grant() below):

* Each tenant has users (UPN, password, object id; scenario `users:` entries, add_user); the default tenant always
  has the default user `ops@<its default domain>`, whose password the env file names (PRIVNET_EMULATOR_USER /
  PRIVNET_EMULATOR_USER_PASSWORD). A `mfa_required: true` user has a correct password but needs MFA.
* grant_type=password on /{tenant}/oauth2/v2.0/token with client_id, scope, username, password
  (MicrosoftDocs/azure-docs articles/active-directory/develop/v2-oauth-ropc.md, "Authorization request"); {tenant}
  is a tenant id, a tenant's domain name ("GUID or friendly name format", same table) or `organizations`, which
  signs the user into the tenant that holds the UPN.
* A public client sends no secret; a confidential client must send client_secret or client_assertion (same table,
  `client_secret` row). The Azure CLI's client id 04b07795-8ddb-461a-bbee-02f9e1bf7b46 is a public client in every
  tenant (Microsoft's first-party multi-tenant app; the collection's _auth.py and azure-cli sign users in through
  it). The emulator's own application is confidential: without a secret it is 401 invalid_client AADSTS7000218
  "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." (wording from
  an Entra ID answer to a password grant quoted in joelmeiller/cypress-msal-login #11); a wrong one AADSTS7000215.
* Success: token_type Bearer, scope, expires_in, access_token, refresh_token (when `offline_access` is asked for)
  and id_token (when `openid` is asked for) (v2-oauth-ropc.md, "Successful authentication response"), plus
  client_info (base64url JSON {uid, utid}) when the request has client_info=1, as MSAL asks and reads it to key its
  account cache (msal oauth2cli/ azure-identity _internal/interactive.py _build_auth_record: the id token's aud,
  iss, sub, tid and preferred_username, home account "<uid>.<utid>").
* The access token says a user: v1.0 claims `upn`, `unique_name`, `name`, `oid` (the user's object id), `sub`,
  `tid`, `appid` (the client that asked), `scp`, `amr` ["pwd"], `idtyp` "user" (Microsoft Learn identity-platform
  access-tokens.md, the claims table; `idtyp` is "app" for app-only tokens). ARM takes it like the service
  principal's (authenticate() checks signature and expiry only).
* Errors, all 400 invalid_grant (v2-oauth-ropc.md "Error response": wrong credentials are invalid_grant):
  wrong password AADSTS50126 "Error validating credentials due to invalid username or password." (fuel9/DisplayMonkey
  #185 quotes Entra ID's answer); unknown user AADSTS50034 "The user account {upn} does not exist in the {tenant}
  directory. To sign into this application, the account must be added to the directory." (Microsoft365DSC #801,
  AzureAD/azure-activedirectory-library-for-java #38: invalid_grant); a user who needs MFA AADSTS50076 "Due to a
  configuration change made by your administrator, or because you moved to a new location, you must use
  multi-factor authentication to access '{resource}'." with suberror basic_action (AzureAD/microsoft-authentication-
  library-for-go #398 shows the whole body; v2-oauth-ropc.md: users who need MFA are blocked); `mfa_required:
  "register"` is AADSTS50079 (the user must register for MFA; Microsoft Learn reference-error-codes, 50079
  UserStrongAuthEnrollmentRequired), same shape.
* grant_type=refresh_token with a refresh token this emulator issued gives new tokens for the same user
  (v2-oauth-ropc.md: the refresh token is used as in the code flow, v2-oauth2-auth-code-flow.md "Refresh the access
  token"); a refresh token for another client is invalid_grant AADSTS70000 (emulator convention for the code).
* User realm discovery: MSAL's acquire_token_by_username_password first GETs
  https://<authority host>/common/userrealm/<username>?api-version=1.0 (msal/authority.py user_realm_discovery, also
  with instance discovery disabled; only ADFS skips it); account_type "Federated" would send it to WS-Trust, anything
  else to the ROPC grant, and a 404 makes it skip the call for that host. The emulator answers as Entra ID does for
  a cloud-only domain: {"ver": "1.0", "account_type": "Managed", "domain_name", "cloud_instance_name",
  "cloud_audience_urn": "urn:federation:MicrosoftOnline"} (shape as MSAL Go's test STS mocks it,
  AzureAD/microsoft-authentication-library-for-go, and as a realm discovery log in Microsoft's Windows Hello
  troubleshooting docs shows it); a domain no tenant holds is account_type "Unknown" (emulator convention).
Not modelled: federated users (WS-Trust), consent (every user may use every client), /common and /consumers
refusing ROPC (v2-oauth-ropc.md says invalid_request; the emulator signs them into the user's tenant),
conditional access beyond the per-user MFA flag.
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
# The Azure CLI's public client application: signs users in to ARM in every tenant (_auth.py, azure-cli).
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
DEFAULT_USER_NAME = "ops"
DEFAULT_USER_OID = "5c2e7a91-3b4d-4f6e-8a1c-9d0b2e4f6a83"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Identity:
    def __init__(self, emulator, tenant, client_id, client_secret, user_password=None):
        self.emu = emulator
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.user_password = user_password or base64.urlsafe_b64encode(os.urandom(18)).decode()
        # id and refresh tokens are signed with keys of their own, so ARM (which checks `key`) never takes them.
        self.user_token_key = os.urandom(32)
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
        if form.get("grant_type") in ("password", "refresh_token"):
            return self._user_grant(base, tenant, tid, form)
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
        refused = self._client_credential_refused(form, client_id)
        if refused:
            return refused
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
        """The tenant id a token request's path names (an id or a default domain), or None when the emulator knows no
        such tenant."""
        wanted = tenant.lower()
        if wanted in ("organizations", "common"):
            return self.tenant
        return next((t for t, info in self.emu.store.tenants.items()
                     if wanted in (t.lower(), str(info.get("defaultDomain", "")).lower())), None)

    # ---- users ----------------------------------------------------------------
    def default_user(self):
        domain = self.emu.store.tenants.get(self.tenant, {}).get("defaultDomain", "privnet.example")
        return {"upn": f"{DEFAULT_USER_NAME}@{domain}", "password": self.user_password, "oid": DEFAULT_USER_OID,
                "display_name": "Operations", "mfa_required": False, "tenant": self.tenant}

    def users(self):
        """Every user: the default user of the default tenant, then those a scenario added (store.users)."""
        return [self.default_user()] + list(getattr(self.emu.store, "users", {}).values())

    def find_user(self, upn, tid=None):
        """The user with this UPN (in tenant `tid` when given), or None."""
        wanted = (upn or "").lower()
        return next((u for u in self.users() if u["upn"].lower() == wanted
                     and (tid is None or u["tenant"].lower() == tid.lower())), None)

    def user_realm(self, base, username):
        """GET /common/userrealm/{username}?api-version=1.0 (MSAL's user realm discovery)."""
        domain = username.rpartition("@")[2].lower()
        known = any(str(info.get("defaultDomain", "")).lower() == domain for info in self.emu.store.tenants.values()) \
            or any(u["upn"].lower().rpartition("@")[2] == domain for u in self.users())
        host = base.split("//", 1)[1]
        body = {"ver": "1.0", "account_type": "Managed" if known else "Unknown", "cloud_instance_name": host,
                "cloud_audience_urn": "urn:federation:MicrosoftOnline"}
        if known:
            body["domain_name"] = domain
        return body

    def _user_grant(self, base, tenant, tid, form):
        """grant_type=password (ROPC) or refresh_token for a user; see the module docstring."""
        client_id = form.get("client_id", "")
        if client_id.lower() == AZURE_CLI_CLIENT_ID:
            client_id = AZURE_CLI_CLIENT_ID            # public in every tenant: no secret to check
        elif client_id == self.client_id and tid in self.emu.store.app_tenants:
            if "client_secret" not in form and "client_assertion" not in form:
                return self._aad_error(401, "invalid_client", 7000218,
                                       "The request body must contain the following parameter: 'client_assertion' "
                                       "or 'client_secret'.")
            refused = self._client_credential_refused(form, client_id)
            if refused:
                return refused
        else:
            return self._aad_error(400, "unauthorized_client", 700016,
                                   f"Application with identifier '{client_id}' was not found in the directory "
                                   f"'{tenant}'. This can happen if the application has not been installed by the "
                                   "administrator of the tenant or consented to by any user in the tenant. You may "
                                   "have sent your authentication request to the wrong tenant.")
        scope = form.get("scope", "")
        resources = [s for s in scope.split() if s not in ("openid", "profile", "offline_access", "email")]
        resource = resources[0] if resources else ""
        resource = resource[: -len(".default")] if resource.endswith(".default") else resource
        if form["grant_type"] == "refresh_token":
            claims = self.verify(form.get("refresh_token", ""), self.user_token_key)
            user = claims and claims.get("typ") == "refresh" and claims.get("appid") == client_id \
                and not expired(claims) and self.find_user(claims.get("upn"), claims.get("tid"))
            if not user:
                return self._aad_error(400, "invalid_grant", 70000,
                                       "Provided grant is invalid or malformed.")
        else:
            username = form.get("username", "")
            home = None if tenant.lower() in ("organizations", "common") else tid
            user = self.find_user(username, home)
            if user is None:
                directory = username.rpartition("@")[2] if home is None else tenant
                return self._aad_error(400, "invalid_grant", 50034,
                                       f"The user account {username} does not exist in the {directory} directory. "
                                       "To sign into this application, the account must be added to the directory.")
            if not hmac.compare_digest(form.get("password", "").encode(), user["password"].encode()):
                return self._aad_error(400, "invalid_grant", 50126,
                                       "Error validating credentials due to invalid username or password.")
            if user.get("mfa_required"):
                if user["mfa_required"] == "register":
                    status = self._aad_error(400, "invalid_grant", 50079,
                                             "Due to a configuration change made by your administrator, or because "
                                             "you moved to a new location, you must enroll in multi-factor "
                                             f"authentication to access '{resource}'.")
                else:
                    status = self._aad_error(400, "invalid_grant", 50076,
                                             "Due to a configuration change made by your administrator, or because "
                                             "you moved to a new location, you must use multi-factor "
                                             f"authentication to access '{resource}'.")
                status[1]["suberror"] = "basic_action"
                return status
        return 200, self._user_tokens(base, user, client_id, scope, resource, form.get("client_info") == "1")

    def _user_tokens(self, base, user, client_id, scope, resource, client_info):
        tid = user["tenant"]
        now = int(time.time())
        lifetime = self.token_lifetime
        common = {"iss": issuer(base, tid), "iat": now, "nbf": now, "tid": tid, "oid": user["oid"],
                  "sub": user["oid"], "name": user.get("display_name") or user["upn"]}
        access = dict(common, aud=resource, exp=now + lifetime, appid=client_id, upn=user["upn"],
                      unique_name=user["upn"], scp="user_impersonation", amr=["pwd"], idtyp="user", ver="1.0")
        body = {"token_type": "Bearer", "scope": scope, "expires_in": lifetime, "ext_expires_in": lifetime,
                "access_token": self._sign(access)}
        asked = scope.split()
        if "offline_access" in asked:
            body["refresh_token"] = self._sign({"typ": "refresh", "upn": user["upn"], "tid": tid, "appid": client_id,
                                                "iat": now, "exp": now + 90 * 86400}, self.user_token_key)
        if "openid" in asked:
            body["id_token"] = self._sign(dict(common, aud=client_id, exp=now + lifetime,
                                               iss=f"{base}/{tid}/v2.0", preferred_username=user["upn"], ver="2.0"),
                                          self.user_token_key)
        if client_info:
            body["client_info"] = _b64(json.dumps({"uid": user["oid"], "utid": tid}).encode())
        return body

    def _client_credential_refused(self, form, client_id):
        """The confidential client's proof (a client assertion, else its secret), checked: the error answer, or None."""
        if "client_assertion" in form:
            problem = self._assertion_problem(form["client_assertion"])
            return self._aad_error(401, "invalid_client", *problem) if problem else None
        if not hmac.compare_digest(form.get("client_secret", ""), self.client_secret):
            return self._aad_error(401, "invalid_client", 7000215,
                                   "Invalid client secret provided. Ensure the secret being sent in the request is "
                                   "the client secret value, not the client secret ID, for a secret added to app "
                                   f"'{client_id}'.")
        return None

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

    def _sign(self, claims, key=None):
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "privnet-emulator"}).encode())
        payload = _b64(json.dumps(claims).encode())
        sig = hmac.new(key or self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
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

    def verify(self, token, key=None):
        """The claims of a token this emulator signed, else None (expiry is not checked here)."""
        try:
            header, payload, sig = token.split(".")
            expected = hmac.new(key or self.key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            valid = hmac.compare_digest(_unb64(sig), expected)
            claims = json.loads(_unb64(payload))
        except ValueError:
            return None
        return claims if valid and isinstance(claims, dict) else None


def add_user(emu, spec):
    """Declare a user from a scenario's `users:` entry: {upn, password, tenant? (default: the default tenant),
    display_name?, object_id?, mfa_required?: true|"register"}."""
    store = emu.store
    tid = emu.identity.resolve_tenant(str(spec.get("tenant") or emu.identity.tenant))
    if tid is None:
        raise ValueError(f"user {spec.get('upn')!r}: unknown tenant {spec.get('tenant')!r} (declare it in `tenants:`)")
    upn = str(spec["upn"])
    user = {"upn": upn, "password": str(spec["password"]), "tenant": tid,
            "oid": str(spec.get("object_id") or uuid.uuid5(uuid.NAMESPACE_URL, f"privnet-user:{tid}:{upn.lower()}")),
            "display_name": spec.get("display_name") or upn, "mfa_required": spec.get("mfa_required") or False}
    if not hasattr(store, "users"):
        store.users = {}
    store.users[(tid.lower(), upn.lower())] = user
    return user


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
