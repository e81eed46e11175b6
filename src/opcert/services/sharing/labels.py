"""What the officers' sharing page shows instead of codes: event types, granted fields, regions,
kinds of subscriber, signing, and the age of a backlog — each as (中文, English)."""

from __future__ import annotations

from opcert.domain.divisions import division_name
from opcert.services.sharing.sharing_list import APPLICATION_PREFIX, CERTIFICATE_PREFIX

Label = tuple[str, str]

EVENTS: dict[str, Label] = {
    CERTIFICATE_PREFIX + "issued": ("发证", "issued"),
    CERTIFICATE_PREFIX + "reviewed": ("复审", "reviewed"),
    CERTIFICATE_PREFIX + "renewed": ("换证", "renewed"),
    CERTIFICATE_PREFIX + "expiring": ("即将到期", "expiring"),
    CERTIFICATE_PREFIX + "expired": ("已到期", "expired"),
    CERTIFICATE_PREFIX + "lapsed": ("失效", "lapsed"),
    CERTIFICATE_PREFIX + "revoked": ("撤销", "revoked"),
    CERTIFICATE_PREFIX + "cancelled": ("注销", "cancelled"),
    CERTIFICATE_PREFIX + "suspended": ("暂停", "suspended"),
    CERTIFICATE_PREFIX + "reinstated": ("恢复", "reinstated"),
    CERTIFICATE_PREFIX + "corrected": ("更正", "corrected"),
    CERTIFICATE_PREFIX + "replaced": ("补证", "replaced"),
    APPLICATION_PREFIX + "filed": ("申请已提交", "application filed"),
    APPLICATION_PREFIX + "decided": ("申请已决定", "application decided"),
    APPLICATION_PREFIX + "held": ("申请转人工审核", "application held for an officer"),
}
FIELD_NAMES: dict[str, Label] = {
    "number": ("证号", "certificate number"),
    "name": ("姓名", "name"),
    "sex": ("性别", "sex"),
    "category": ("作业类别", "category"),
    "item": ("操作项目", "operation item"),
    "status": ("证书状态", "status"),
    "first_issued_on": ("初次领证日期", "first issued on"),
    "valid_from": ("有效期起始日", "valid from"),
    "valid_to": ("有效期截止日", "valid to"),
    "review_due_on": ("应复审日期", "review due on"),
    "reviewed_on": ("实际复审日期", "reviewed on"),
    "authority": ("发证机关", "issuing authority"),
    "id_number": ("证件号码", "ID number"),
}
KINDS: dict[str, Label] = {
    "employer": ("用人单位", "Employer"),
    "platform": ("政务平台", "Government platform"),
}
SIGNING: dict[str, Label] = {
    "hmac": ("HMAC 共享密钥（whsec_）", "HMAC shared secret (whsec_)"),
    "ed25519": ("平台 Ed25519 公钥验签", "The platform's Ed25519 key"),
}


def event_label(event_type: str) -> Label:
    return EVENTS.get(event_type, (event_type, event_type))


def field_label(field: str) -> Label:
    return FIELD_NAMES.get(field, (field, field))


def region_label(code: str) -> Label:
    """``000000`` → 全国; a division → its full name with the code in English."""
    if code == "000000":
        return "全国", "all of China"
    name = division_name(code)
    return (name, f"{name} ({code})") if name else (code, code)


def lag_label(seconds: float) -> Label:
    """The age of the oldest waiting delivery, in the largest two units that say it."""
    whole = int(seconds)
    if whole < 60:
        return "不到 1 分钟", "under a minute"
    minutes, hours, days = whole // 60 % 60, whole // 3600 % 24, whole // 86400
    if days:
        return f"{days} 天 {hours} 小时", f"{days} d {hours} h"
    if hours:
        return f"{hours} 小时 {minutes} 分钟", f"{hours} h {minutes} min"
    return f"{minutes} 分钟", f"{minutes} min"
