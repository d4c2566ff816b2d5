"""The benchmark connector on connector-py 4.280.0: the Python side of bench/compare.sh.

It behaves as the Rust demo twin (tests/src/demo_app.rs) does, so the two can be timed on
the same inputs and their answers compared: app_id ``demo_app``, a token credential, one
setting (``base_url``), an in-memory tenant of ``DEMO_ACCOUNTS`` accounts (5 by default;
``user-4`` is suspended), page size 2 unless the request names one, and the same set of
capabilities, so that ``info`` describes as much as the Rust side's does. A token equal to
``bad-token`` is refused.

Run it as a connector command line:
    python demo_twin.py info
    python demo_twin.py list_accounts --json '{...}'
    python demo_twin.py dev http-server --port 8001     (needs uvicorn)
or time its in-process dispatch:
    python demo_twin.py --dispatch-rate CALLS SECONDS
"""

import asyncio
import json
import os
import sys
import time

import httpx
import pydantic
from connector.cli import run_integration
from connector.generated import (
    AccountStatus,
    AccountType,
    AppCategory,
    AssignEntitlementRequest,
    AssignEntitlementResponse,
    AssignedEntitlement,
    CreatableAccount,
    CreateAccountResponse,
    CreatedAccount,
    CreatedEffect,
    DeactivateAccountRequest,
    DeactivateAccountResponse,
    DeactivatedAccount,
    EntitlementType,
    ExecutionSummary,
    FindEntitlementAssociationsRequest,
    FindEntitlementAssociationsResponse,
    FoundAccountData,
    FoundEntitlementData,
    FoundResourceData,
    GetLastActivityRequest,
    GetLastActivityResponse,
    ListAccountsRequest,
    ListAccountsResponse,
    ListCustomAttributesSchemaRequest,
    ListCustomAttributesSchemaResponse,
    ListEntitlementsRequest,
    ListEntitlementsResponse,
    ListResourcesRequest,
    ListResourcesResponse,
    ResourceType,
    StandardCapabilityName,
    TokenCredential,
    UnassignEntitlementRequest,
    UnassignEntitlementResponse,
    ValidateCredentialsRequest,
    ValidateCredentialsResponse,
    ValidatedCredentials,
)
from connector.oai.capability import (
    CustomRequest,
    CustomResponse,
    get_page,
    get_settings,
    get_token_auth,
)
from connector.oai.errors import (
    AuthenticationError,
    HTTPHandler,
    InvalidPageTokenError,
    NotFoundError,
)
from connector.oai.fingerprint import request_fingerprint
from connector.oai.integration import DescriptionData, Integration
from connector.utils.pagination import PaginationBase, create_next_page_token

PAGE_SIZE = 2
BAD_TOKEN = "bad-token"


class DemoAppSettings(pydantic.BaseModel):
    base_url: str = pydantic.Field(
        title="Base URL",
        description="Base URL of the demo tenant.",
        json_schema_extra={"x-semantic": "tenant-id"},
    )


class Cursor(PaginationBase):
    offset: int


NextPageToken = create_next_page_token(Cursor, "NextPageToken")


# Named as the payload it extends, so that `info` names it as the Rust twin does.
class CreateAccount(CreatableAccount):
    email: str | None = pydantic.Field(
        default=None, description="The email address for the new account"
    )


class EchoMessage(pydantic.BaseModel):
    message: str = pydantic.Field(description="Text to echo")


class EchoedMessage(pydantic.BaseModel):
    echoed: str


def make_tenant(count: int) -> list[FoundAccountData]:
    return [
        FoundAccountData(
            integration_specific_id=f"user-{n}",
            email=f"user{n}@example.com",
            given_name=f"Given{n}",
            family_name=f"Family{n}",
            username=f"user{n}",
            user_status=AccountStatus.SUSPENDED if n == 4 else AccountStatus.ACTIVE,
            account_type=AccountType.USER,
        )
        for n in range(1, count + 1)
    ]


def tenant_size() -> int:
    try:
        return int(os.environ.get("DEMO_ACCOUNTS", "").strip())
    except ValueError:
        return 5


TENANT = make_tenant(tenant_size())
KNOWN_IDS = {account.integration_specific_id for account in TENANT}

integration = Integration(
    app_id="demo_app",
    version="0.1.0",
    auth=TokenCredential,
    exception_handlers=[(httpx.HTTPStatusError, HTTPHandler, None)],
    description_data=DescriptionData(
        user_friendly_name="Demo App",
        description="In-memory demo connector used to capture golden wire vectors.",
        categories=[AppCategory.DEVELOPERS, AppCategory.IT_AND_SECURITY],
        logo_url="https://example.com/logo.png",
        app_vendor_domain="example.com",
    ),
    settings_model=DemoAppSettings,
    resource_types=[ResourceType(type_id="WORKSPACE", type_label="Workspace")],
    entitlement_types=[
        EntitlementType(type_id="ROLE", type_label="Role", resource_type_id="", min=0),
        EntitlementType(
            type_id="WORKSPACE_MEMBER",
            type_label="Workspace Member",
            resource_type_id="WORKSPACE",
            min=0,
            max=1,
        ),
    ],
)


def refuse_bad_token(args) -> None:
    if get_token_auth(args).token == BAD_TOKEN:
        raise AuthenticationError(message="The demo token was rejected")


@integration.register_capability(StandardCapabilityName.VALIDATE_CREDENTIALS)
async def validate_credentials(args: ValidateCredentialsRequest) -> ValidateCredentialsResponse:
    refuse_bad_token(args)
    settings = get_settings(args, DemoAppSettings)
    return ValidateCredentialsResponse(
        response=ValidatedCredentials(valid=True, unique_tenant_id=settings.base_url)
    )


@integration.register_capability(StandardCapabilityName.LIST_ACCOUNTS)
async def list_accounts(args: ListAccountsRequest) -> ListAccountsResponse:
    refuse_bad_token(args)
    page = get_page(args)
    size = page.size or PAGE_SIZE
    try:
        cursors = NextPageToken(page.token).paginations()
    except Exception as err:
        raise InvalidPageTokenError(message="Invalid page token") from err
    current = cursors[-1] if cursors else Cursor(endpoint="/users", offset=0)
    start = min(current.offset, len(TENANT))
    end = min(start + size, len(TENANT))
    following = None
    if end < len(TENANT):
        token = NextPageToken.from_paginations([Cursor(endpoint=current.endpoint, offset=end)])
        following = token.to_page(size)
    return ListAccountsResponse(response=TENANT[start:end], page=following)


@integration.register_capability(StandardCapabilityName.LIST_ENTITLEMENTS)
async def list_entitlements(args: ListEntitlementsRequest) -> ListEntitlementsResponse:
    refuse_bad_token(args)
    return ListEntitlementsResponse(
        response=[
            FoundEntitlementData(
                entitlement_type="ROLE",
                integration_specific_id="admin",
                integration_specific_resource_id="",
                is_assignable=True,
                label="Admin",
            ),
            FoundEntitlementData(
                entitlement_type="WORKSPACE_MEMBER",
                integration_specific_id="member",
                integration_specific_resource_id="ws-1",
                label="Workspace 1 member",
                description="Member of workspace 1",
            ),
        ]
    )


@integration.register_capability(StandardCapabilityName.LIST_RESOURCES)
async def list_resources(args: ListResourcesRequest) -> ListResourcesResponse:
    refuse_bad_token(args)
    workspace = FoundResourceData(
        integration_specific_id="ws-1", label="Workspace One", resource_type="WORKSPACE"
    )
    raw = {"workspaces": [{"id": "ws-1", "name": "Workspace One"}]}
    return ListResourcesResponse(
        response=[workspace], raw_data=raw if args.include_raw_data else None
    )


@integration.register_capability(StandardCapabilityName.ASSIGN_ENTITLEMENT)
async def assign_entitlement(args: AssignEntitlementRequest) -> AssignEntitlementResponse:
    refuse_bad_token(args)
    account = args.request.account_integration_specific_id
    if account not in KNOWN_IDS:
        raise NotFoundError(message=f"Account {account} not found")
    return AssignEntitlementResponse(response=AssignedEntitlement(assigned=True))


@integration.register_capability(
    StandardCapabilityName.CREATE_ACCOUNT,
    display_name="Create Demo Account",
    description="Creates an account.",
)
async def create_account(args: CustomRequest[CreateAccount]) -> CreateAccountResponse:
    refuse_bad_token(args)
    summary = ExecutionSummary(
        effect=CreatedEffect(kind="created"),
        request_fingerprint=request_fingerprint(args.request),
        is_idempotent=False,
        description=f"Created account for {args.request.email}",
    )
    return CreateAccountResponse(
        response=CreatedAccount(id="user-6", status=AccountStatus.ACTIVE, created=True),
        execution_summary=summary,
    )


@integration.register_capability(StandardCapabilityName.DEACTIVATE_ACCOUNT)
async def deactivate_account(args: DeactivateAccountRequest) -> DeactivateAccountResponse:
    refuse_bad_token(args)
    if args.request.account_id not in KNOWN_IDS:
        raise NotFoundError(message=f"Account {args.request.account_id} not found")
    return DeactivateAccountResponse(
        response=DeactivatedAccount(status=AccountStatus.INACTIVE, deactivated=True)
    )


@integration.register_capability(StandardCapabilityName.UNASSIGN_ENTITLEMENT)
async def unassign_entitlement(args: UnassignEntitlementRequest) -> UnassignEntitlementResponse:
    raise NotFoundError(
        message="Entitlement assignment not found",
        app_error_code="demo_app.assignment_not_found",
    )


@integration.register_capability(StandardCapabilityName.FIND_ENTITLEMENT_ASSOCIATIONS)
async def find_entitlement_associations(
    args: FindEntitlementAssociationsRequest,
) -> FindEntitlementAssociationsResponse:
    url = "https://demo.example.com/api/associations?secret=1"
    upstream = httpx.Response(403, json={"error": "forbidden"}, request=httpx.Request("GET", url))
    upstream.raise_for_status()
    raise AssertionError("a 403 always raises")


@integration.register_capability(StandardCapabilityName.LIST_CUSTOM_ATTRIBUTES_SCHEMA)
async def list_custom_attributes_schema(
    args: ListCustomAttributesSchemaRequest,
) -> ListCustomAttributesSchemaResponse:
    raise RuntimeError("boom")


@integration.register_capability(StandardCapabilityName.GET_LAST_ACTIVITY)
async def get_last_activity(args: GetLastActivityRequest) -> GetLastActivityResponse:
    raise NotImplementedError


@integration.register_custom_capability("echo_message")
async def echo_message(args: CustomRequest[EchoMessage]) -> CustomResponse[EchoedMessage]:
    refuse_bad_token(args)
    return CustomResponse[EchoedMessage](response=EchoedMessage(echoed=args.request.message))


ENVELOPE = json.dumps(
    {
        "auth": {"token": {"token": "bench-token"}},
        "settings": {"base_url": "https://demo.example.com"},
        "request": {},
    }
)


async def dispatch_rate(calls: int, seconds: float) -> dict:
    """Times ``validate_credentials`` through ``integration.dispatch`` on one thread."""
    first = await integration.dispatch("validate_credentials", ENVELOPE)
    if first.startswith('{"is_error":true'):
        raise SystemExit(f"the call fails, not timing it: {first}")
    done = 0
    start = time.perf_counter()
    while done < calls and time.perf_counter() - start < seconds:
        await integration.dispatch("validate_credentials", ENVELOPE)
        done += 1
    elapsed = time.perf_counter() - start
    return {
        "capability": "validate_credentials",
        "calls": done,
        "seconds": elapsed,
        "calls_per_second": done / elapsed if elapsed > 0 else 0.0,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--dispatch-rate"]:
        print(json.dumps(asyncio.run(dispatch_rate(int(sys.argv[2]), float(sys.argv[3])))))
    else:
        run_integration(integration)
