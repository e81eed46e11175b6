"""Where the platform may send a webhook (SSRF): http(s) only; never a link-local, cloud-metadata,
unspecified, multicast or reserved address; loopback and private (RFC 1918, unique-local)
addresses only where the operator allows them (``OPCERT_WEBHOOK_ALLOW_PRIVATE``: on in
development, where tests and single-machine deployments use them; a government intranet may need
it in production). A name is resolved and every address it resolves to is checked, at
registration and again before each delivery (a name may be re-pointed later).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from opcert.domain.errors import FieldError

# Cloud instance-metadata services outside link-local space: Alibaba Cloud, AWS's IPv6 one.
METADATA = frozenset(
    {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}
)
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata", "instance-data"})

MAX_URL = 500  # subscribers.url

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def refused_reason(address: Address, *, allow_private: bool) -> str | None:
    """Why a delivery to ``address`` is refused (``None``: allowed)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA or address.is_link_local:
        return "link-local or cloud-metadata"
    if address.is_loopback:  # before "reserved": Python counts ::1 in the reserved ::/8
        return None if allow_private else "loopback or private"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "unspecified, multicast or reserved"
    if (address.is_loopback or address.is_private) and not allow_private:
        return "loopback or private"
    return None


def _url_error(code: str, zh: str, en: str) -> FieldError:
    return FieldError("url", code, zh, en)


def check_url(url: str, *, allow_private: bool, resolve: bool = True) -> str:
    """``url`` stripped when the platform may deliver to it; ``FieldError`` on ``url`` saying why
    otherwise."""
    text = (url or "").strip()
    if len(text) > MAX_URL:
        raise _url_error(
            "URL_TOO_LONG",
            f"回调地址不能超过 {MAX_URL} 个字符",
            f"the URL must be at most {MAX_URL} characters",
        )
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _url_error(
            "URL_SCHEME",
            "回调地址须为 http:// 或 https:// 开头的完整网址",
            "the URL must be a full http:// or https:// address",
        )
    if parts.username or parts.password:
        raise _url_error(
            "URL_CREDENTIALS", "回调地址不得包含用户名或密码", "the URL must not carry credentials"
        )
    host = parts.hostname.rstrip(".").lower()
    if host in METADATA_NAMES:
        raise _refused(host, "link-local or cloud-metadata")
    try:
        port = parts.port
    except ValueError:
        raise _url_error("URL_PORT", "回调地址的端口无效", "the URL's port is invalid") from None
    for address in addresses(host, port, resolve=resolve):
        reason = refused_reason(address, allow_private=allow_private)
        if reason is not None:
            raise _refused(host, reason)
    return text


def addresses(host: str, port: int | None, *, resolve: bool = True) -> list[Address]:
    """The addresses ``host`` stands for (itself when it is a literal)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    if not resolve:
        return []
    try:
        found = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise _url_error(
            "URL_UNRESOLVED",
            f"回调地址的主机名 {host} 无法解析",
            f"the URL's host name {host} does not resolve",
        ) from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]


def _refused(host: str, reason: str) -> FieldError:
    zh = {
        "link-local or cloud-metadata": "链路本地地址或云元数据地址",
        "unspecified, multicast or reserved": "未指定、组播或保留地址",
        "loopback or private": "本机或内网地址（本环境未允许）",
    }[reason]
    return _url_error(
        "URL_NOT_ALLOWED",
        f"回调地址 {host} 指向{zh}，平台不会向其发送数据",
        f"the URL's host {host} is a {reason} address, to which the platform does not send",
    )
