from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.briefing import Briefing
from ...models.briefing_in import BriefingIn
from ...models.create_briefing_format import CreateBriefingFormat
from ...models.error_out import ErrorOut
from ...models.job_accepted import JobAccepted
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: BriefingIn,
    format_: CreateBriefingFormat | Unset = CreateBriefingFormat.JSON,
    async_: bool | Unset = False,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params["async"] = async_


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/briefings",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Briefing | ErrorOut | JobAccepted | None:
    if response.status_code == 200:
        response_200 = Briefing.from_dict(response.json())



        return response_200

    if response.status_code == 202:
        response_202 = JobAccepted.from_dict(response.json())



        return response_202

    if response.status_code == 401:
        response_401 = ErrorOut.from_dict(response.json())



        return response_401

    if response.status_code == 413:
        response_413 = ErrorOut.from_dict(response.json())



        return response_413

    if response.status_code == 422:
        response_422 = ErrorOut.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = ErrorOut.from_dict(response.json())



        return response_429

    if response.status_code == 502:
        response_502 = ErrorOut.from_dict(response.json())



        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Briefing | ErrorOut | JobAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: BriefingIn,
    format_: CreateBriefingFormat | Unset = CreateBriefingFormat.JSON,
    async_: bool | Unset = False,

) -> Response[Briefing | ErrorOut | JobAccepted]:
    """ Briefings

    Args:
        format_ (CreateBriefingFormat | Unset): json, md or html Default:
            CreateBriefingFormat.JSON.
        async_ (bool | Unset): Return a job id at once; poll /v1/jobs/{id}. Default: False.
        body (BriefingIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Briefing | ErrorOut | JobAccepted]
     """


    kwargs = _get_kwargs(
        body=body,
format_=format_,
async_=async_,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: BriefingIn,
    format_: CreateBriefingFormat | Unset = CreateBriefingFormat.JSON,
    async_: bool | Unset = False,

) -> Briefing | ErrorOut | JobAccepted | None:
    """ Briefings

    Args:
        format_ (CreateBriefingFormat | Unset): json, md or html Default:
            CreateBriefingFormat.JSON.
        async_ (bool | Unset): Return a job id at once; poll /v1/jobs/{id}. Default: False.
        body (BriefingIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Briefing | ErrorOut | JobAccepted
     """


    return sync_detailed(
        client=client,
body=body,
format_=format_,
async_=async_,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: BriefingIn,
    format_: CreateBriefingFormat | Unset = CreateBriefingFormat.JSON,
    async_: bool | Unset = False,

) -> Response[Briefing | ErrorOut | JobAccepted]:
    """ Briefings

    Args:
        format_ (CreateBriefingFormat | Unset): json, md or html Default:
            CreateBriefingFormat.JSON.
        async_ (bool | Unset): Return a job id at once; poll /v1/jobs/{id}. Default: False.
        body (BriefingIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Briefing | ErrorOut | JobAccepted]
     """


    kwargs = _get_kwargs(
        body=body,
format_=format_,
async_=async_,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: BriefingIn,
    format_: CreateBriefingFormat | Unset = CreateBriefingFormat.JSON,
    async_: bool | Unset = False,

) -> Briefing | ErrorOut | JobAccepted | None:
    """ Briefings

    Args:
        format_ (CreateBriefingFormat | Unset): json, md or html Default:
            CreateBriefingFormat.JSON.
        async_ (bool | Unset): Return a job id at once; poll /v1/jobs/{id}. Default: False.
        body (BriefingIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Briefing | ErrorOut | JobAccepted
     """


    return (await asyncio_detailed(
        client=client,
body=body,
format_=format_,
async_=async_,

    )).parsed
