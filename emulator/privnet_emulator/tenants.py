"""Tenants as ARM sees them: each subscription belongs to one Entra ID tenant, and a request is checked against it.

The token side (a token per tenant, `tid`, AADSTS700016 for a tenant without the client) is in identity.py; the
estate (which tenants exist, which subscriptions each holds, where the emulator's client id exists) lives in the
store (store.tenants, store.subscription_tenants, store.app_tenants) and is declared by a scenario's `tenants:`
section (scenarios.py, add_tenant below).

Behaviours and their sources:

* A request under /subscriptions/{sub} whose token is from another tenant than the subscription's is 401
  InvalidAuthenticationTokenTenant: "The access token is from the wrong issuer '<token issuer>'. It must match the
  tenant '<issuer of the subscription's tenant>' associated with this subscription. Please use the authority (URL)
  '<authority>/<tenant>' to get the token. Note, if the subscription is transferred ..." (wording as real ARM answers
  show it: Azure/azure-sdk-for-net #49391, Azure/LogicAppsUX #9068, bradygaster-zz/azure-tools-vscode #44;
  Microsoft Learn azure-resource-manager/management/authenticate-multi-tenant.md: the primary token has to come from
  a tenant able to manage the subscription). The issuer and authority are the emulator's own URL (its tokens' `iss`),
  where Azure names sts.windows.net and login.windows.net.
* The 401's WWW-Authenticate names the subscription's tenant in authorization_uri: how clients find a subscription's
  tenant from an unauthenticated call (Shawn Tabrizi, "Secret APIs in Azure Active Directory and Azure Resource
  Manager", shawntabrizi.com). server.py asks authority_tenant() for it.
* GET /subscriptions lists the subscriptions of the token's tenant only (Subscriptions_List lists a tenant's
  subscriptions: its summary in azure-rest-api-specs Microsoft.Subscription / Microsoft.Resources subscriptions.json).
* A write that links to a resource in a subscription of another tenant (a peering's remoteVirtualNetwork.id,
  peering.py; an automatically approved private endpoint connection's privateLinkServiceId, endpoints.py) is
  403 LinkedAuthorizationFailed: "The client has permission to perform action '<action>' on scope '<the written
  resource>', however the current tenant '<token tenant>' is not authorized to access linked subscription
  '<linked subscription>'." (terraform-provider-azurerm #4546 and Azure/azure-cli #16691 for a peering, action
  Microsoft.Network/virtualNetworks/peer/action, status 403 / ForbiddenError), unless the request carries an
  auxiliary token for that tenant in `x-ms-authorization-auxiliary` (authenticate-multi-tenant.md: a request that
  references another tenant's resource is allowed on the strength of the auxiliary tokens; Microsoft's answer in
  MicrosoftDocs/azure-docs #84291: peering VNets of two tenants needs a token of each).
* The auxiliary header: up to three tokens, `Bearer <token>` separated by commas (authenticate-multi-tenant.md; the
  format azure-mgmt-core's AuxiliaryAuthenticationPolicy sends). It is read only when a request references another
  tenant's resource (same article). Every token in it must be valid and unexpired; an expired one is 401 and the
  answer names the client id and tenant id of the bad token (same article). An auxiliary token must be one this
  emulator signed, for the same client as the primary token (the same article: the user or application has to be a
  guest in the other tenants, i.e. the same principal).
* Only the first request of a long-running write needs the auxiliary header; its polls do not (Azure/azure-cli
  #16797, debug log of `az network vnet peering create` across tenants). Operation polls are read from the
  subscription's own tenant, so this holds here without special handling.
* A private endpoint to a resource of another tenant works with a manual connection
  (manualPrivateLinkServiceConnections: no approval right on the target is asked for, the connection waits as
  Pending): Microsoft Learn private-link/private-endpoint-overview.md ("Access to a private link resource using
  approval workflow": automatic approval needs the privateEndpointConnectionsApproval action on the target, a manual
  request does not; the action's spelling per MicrosoftDocs/azure-docs #77212), Cloud Adoption Framework
  limit-cross-tenant-private-endpoint-connections.md (cross-tenant connections use the resource ID and manual
  approval), MicrosoftDocs/azure-docs #72045 (Microsoft's answer: endpoints across tenants
  need a manual request), ansible-collections/azure #973
  (automatic connection across tenants fails with the tenant's linked-subscription error; the fix is a manual request).
  The approval itself is a write on the target's subscription, so it needs a primary token of the target's tenant
  (the first rule); nothing more is modelled.

Emulator conventions (the behaviour is documented, the exact answer is not):
* A malformed auxiliary header (an entry that is not `Bearer <jwt>`, or more than three tokens) is 401
  AuthenticationFailed "Authentication failed. The 'x-ms-authorization-auxiliary' header is provided in an invalid
  format." (the emulator's answer to a malformed Authorization header). An `EncryptedBearer` entry counts as
  malformed: the emulator issues no encrypted tokens.
* An auxiliary token this emulator did not sign, or one for another client, is 401 InvalidAuthenticationToken; an
  expired one is 401 ExpiredAuthenticationToken (the primary token's codes); both messages name the token's client
  id and tenant id.
* The private endpoint's LinkedAuthorizationFailed names the action 'PrivateEndpointConnectionsApproval/action', the
  spelling NRP's linked-access failures for private endpoints show (MicrosoftDocs/azure-docs #96892,
  Azure/azure-sdk-for-go #14306); no public sample shows the tenant variant for a private endpoint.
Not modelled: RBAC (every principal may do everything in a tenant where it exists); the audience of auxiliary tokens;
GET /tenants still lists the default tenant only (what it lists for a service principal present in several tenants is
not documented); other cross-tenant links (a Private DNS zone's virtual network link, a NIC's subnet, ...).
"""

import base64
import json

from .errors import ArmError
from .identity import expired, expiry_message, issuer
from .ids import ResourceId

# The second tenant and its subscription that the `cross_tenant` scenario declares; the env file names them as
# PRIVNET_EMULATOR_TENANT_2 and PRIVNET_EMULATOR_SUBSCRIPTION_2 (they exist once that scenario is loaded).
TENANT_2 = "6a1e9c3b-2f4d-4b8e-a5c7-1d0e9f8a7b62"
SUBSCRIPTION_2 = "b5d3f1a9-7c2e-4e6b-8d4a-3c9f0e1b2a57"
AUX_HEADER = "x-ms-authorization-auxiliary"
MAX_AUX_TOKENS = 3
PEER_ACTION = "Microsoft.Network/virtualNetworks/peer/action"
PE_APPROVAL_ACTION = "PrivateEndpointConnectionsApproval/action"


# ---- the estate ---------------------------------------------------------------------------------------------------
def add_tenant(emu, spec):
    """Declare a tenant from a scenario's `tenants:` entry: {id, display_name?, default_domain?, client?: bool,
    subscriptions?: [{id, name?}]}. `client: true` says the emulator's client id exists there too."""
    store = emu.store
    tid = str(spec["id"])
    current = next((t for t in store.tenants if t.lower() == tid.lower()), None)
    tid = current or tid
    info = store.tenants.setdefault(tid, {"displayName": spec.get("display_name") or tid,
                                          "defaultDomain": spec.get("default_domain") or f"{tid[:8]}.example"})
    if spec.get("display_name"):
        info["displayName"] = spec["display_name"]
    if spec.get("default_domain"):
        info["defaultDomain"] = spec["default_domain"]
    if "client" in spec:
        if spec["client"]:
            store.app_tenants.add(tid)
        else:
            store.app_tenants.discard(tid)
    for sub in spec.get("subscriptions") or []:
        sub = {"id": sub} if isinstance(sub, str) else sub
        sid = next((s for s in store.subscriptions if s.lower() == str(sub["id"]).lower()), str(sub["id"]))
        store.subscriptions[sid] = sub.get("name") or store.subscriptions.get(sid) or sid
        store.subscription_tenants[sid.lower()] = tid
    return tid


def subscription_of_path(low):
    """The subscription id segment of an ARM path (lower-cased segments), or None."""
    return low[1] if len(low) > 1 and low[0] == "subscriptions" else None


def known_subscription(emu, sub):
    return next((s for s in emu.store.subscriptions if s.lower() == (sub or "").lower()), None)


def authority_tenant(emu, low):
    """The tenant a 401's WWW-Authenticate names: the subscription's when the path names a known one."""
    sub = known_subscription(emu, subscription_of_path(low))
    return emu.store.tenant_of(sub) if sub else emu.identity.tenant


# ---- the primary token -----------------------------------------------------------------------------------------------
def check_subscription_tenant(emu, claims, low, base):
    """401 InvalidAuthenticationTokenTenant when the token's tenant is not the tenant of the path's subscription."""
    sub = known_subscription(emu, subscription_of_path(low))
    if sub is None:
        return
    wanted = emu.store.tenant_of(sub)
    if str(claims.get("tid", "")).lower() == wanted.lower():
        return
    raise ArmError(
        401, "InvalidAuthenticationTokenTenant",
        f"The access token is from the wrong issuer '{claims.get('iss')}'. It must match the tenant "
        f"'{issuer(base, wanted)}' associated with this subscription. Please use the authority (URL) "
        f"'{base}/{wanted}' to get the token. Note, if the subscription is transferred to another tenant there is no "
        "impact to the services, but information about new tenant could take time to propagate (up to an hour). If "
        "you just transferred your subscription and see this error message, please try back later.")


def visible_subscriptions(emu, claims):
    """Subscriptions_List: the subscriptions of the token's tenant."""
    tid = str(claims.get("tid", "")).lower()
    return [s for s in emu.store.subscriptions if emu.store.tenant_of(s).lower() == tid]


# ---- auxiliary tokens and linked access ------------------------------------------------------------------------------
def _malformed():
    return ArmError(401, "AuthenticationFailed",
                    f"Authentication failed. The '{AUX_HEADER}' header is provided in an invalid format.")


def auxiliary_claims(emu, req, primary):
    """The claims of each token in the auxiliary header, every one checked; [] when there is no header."""
    raw = (req.headers.get(AUX_HEADER) or "").strip()
    if not raw:
        return []
    entries = [e.strip() for e in raw.split(",")]
    if len(entries) > MAX_AUX_TOKENS:
        raise _malformed()
    out = []
    for entry in entries:
        scheme, _, token = entry.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or token.count(".") != 2:
            raise _malformed()
        claims = emu.identity.verify(token)
        if claims is None or claims.get("appid") != primary.get("appid"):
            who = claims or unverified_claims(token)
            raise ArmError(401, "InvalidAuthenticationToken",
                           f"The auxiliary access token of client '{who.get('appid', 'unknown')}' from tenant "
                           f"'{who.get('tid', 'unknown')}' is invalid.")
        if expired(claims):
            raise ArmError(401, "ExpiredAuthenticationToken",
                           expiry_message(f"The auxiliary access token of client '{claims.get('appid')}' from tenant "
                                          f"'{claims.get('tid')}' has expired: its", claims))
        out.append(claims)
    return out


def unverified_claims(token):
    """What a token says about itself (to name its client and tenant when it is refused)."""
    try:
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4)))
    except (ValueError, IndexError):
        return {}
    return claims if isinstance(claims, dict) else {}


def has_linked_access(emu, req, linked_id):
    """True when the request carries a token of the tenant of linked_id's subscription (the primary token or an
    auxiliary one), or has no token at all (scenario loading), or linked_id is not in a known subscription."""
    primary = getattr(req, "claims", None)
    if primary is None:
        return True
    linked = ResourceId.parse(linked_id or "")
    sub = known_subscription(emu, linked.subscription) if linked is not None else None
    if sub is None:
        return True   # not a resource of a known subscription: the provider answers for it
    wanted = emu.store.tenant_of(sub).lower()
    if str(primary.get("tid", "")).lower() == wanted:
        return True
    return any(str(c.get("tid", "")).lower() == wanted for c in auxiliary_claims(emu, req, primary))


def require_linked_access(emu, req, linked_id, action, scope):
    """403 LinkedAuthorizationFailed when linked_id is in a subscription of another tenant than the request's token
    and no auxiliary token for that tenant comes with it. Requests without a token (scenario loading) pass."""
    if has_linked_access(emu, req, linked_id):
        return
    primary = req.claims
    sub = known_subscription(emu, ResourceId.parse(linked_id).subscription)
    current = str(primary.get("tid", ""))
    raise ArmError(403, "LinkedAuthorizationFailed",
                   f"The client has permission to perform action '{action}' on scope '{scope}', however the current "
                   f"tenant '{current}' is not authorized to access linked subscription '{sub}'.")
