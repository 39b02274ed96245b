"""REST routes for interaction callbacks and the interaction webhook (followups, @original)."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .http_core import API_PREFIX, json_response, no_content, read_body, server_of
from .http_core import snowflake_arg as sf
from .interactions import Interaction
from .messages import message_to_dict


def register(app: web.Application) -> None:
    r, p = app.router, API_PREFIX
    r.add_post(p + "/interactions/{interaction_id}/{token}/callback", callback)
    r.add_post(p + "/webhooks/{app_id}/{token}", followup)
    r.add_get(p + "/webhooks/{app_id}/{token}/messages/{message_id}", get_webhook_message)
    r.add_patch(p + "/webhooks/{app_id}/{token}/messages/{message_id}", edit_webhook_message)
    r.add_delete(p + "/webhooks/{app_id}/{token}/messages/{message_id}", delete_webhook_message)


async def callback(request: web.Request) -> web.Response:
    server = server_of(request)
    interaction_id = sf(request, "interaction_id", errors.unknown_interaction)
    body, files = await read_body(request)
    ix, message = server.interactions.callback(
        interaction_id, request.match_info["token"], body, files
    )
    if request.query.get("with_response", "false").lower() not in ("true", "1"):
        return no_content()
    rtype = int(body.get("type", 0))
    answered: dict[str, object] = {
        "id": str(ix.id),
        "type": ix.payload["type"],
        "activity_instance_id": None,
        "response_message_loading": rtype == 5,
        "response_message_ephemeral": bool(message is not None and message.ephemeral),
    }
    if message is not None:  # none for an autocomplete result or a modal
        answered["response_message_id"] = str(message.id)
    data: dict[str, object] = {"interaction": answered}
    if message is not None and rtype in (4, 7):
        # the resource is the message sent or updated; a defer (5, 6), an autocomplete
        # result (8) or a modal (9) creates none
        data["resource"] = {"type": rtype, "message": message_to_dict(server.state, message)}
    return json_response(data)


def _interaction(request: web.Request) -> Interaction:
    server = server_of(request)
    app_id = sf(request, "app_id", errors.unknown_webhook)
    return server.interactions.by_webhook(app_id, request.match_info["token"])


async def followup(request: web.Request) -> web.Response:
    server = server_of(request)
    ix = _interaction(request)
    body, files = await read_body(request)
    message = server.interactions.followup(ix, body, files)
    if request.query.get("wait", "false").lower() not in ("true", "1"):
        return no_content()
    return json_response(message_to_dict(server.state, message))


async def get_webhook_message(request: web.Request) -> web.Response:
    server = server_of(request)
    ix = _interaction(request)
    message = server.interactions.webhook_message(ix, request.match_info["message_id"])
    return json_response(message_to_dict(server.state, message))


async def edit_webhook_message(request: web.Request) -> web.Response:
    server = server_of(request)
    ix = _interaction(request)
    message = server.interactions.webhook_message(ix, request.match_info["message_id"])
    body, files = await read_body(request)
    server.interactions.edit(ix, message, body, files)
    return json_response(message_to_dict(server.state, message))


async def delete_webhook_message(request: web.Request) -> web.Response:
    server = server_of(request)
    ix = _interaction(request)
    message = server.interactions.webhook_message(ix, request.match_info["message_id"])
    server.interactions.delete(ix, message)
    return no_content()
