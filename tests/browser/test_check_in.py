"""The door on a phone (390×844): staff type a ticket code, then scan one with the camera."""

import re

import pytest
import segno
from PIL import Image
from playwright.sync_api import expect

from demo.services import ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD
from events import services, tickets
from events.models import Registration
from events.services import Attendee
from tests.accounts.builders import make_company, make_contact, open_event
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def two_registrations():
    event = open_event(title="浙仪协工作联系人交流日")
    contact = make_contact(make_company("浙江门口仪表有限公司", seed=71), "door@example.com")
    return event, services.registration_create(
        event=event,
        contact=contact,
        attendees=[
            Attendee(name="周敏", email="zhoumin@example.com", phone="13900000071"),
            Attendee(name="吴刚", email="wugang@example.com", phone="13900000072"),
        ],
    )


def sign_in(tab):
    tab.goto("/admin/login/")
    tab.fill("#id_username", ADMIN_EMAIL)
    tab.fill("#id_password", DEFAULT_ADMIN_PASSWORD)
    tab.locator("#login-form input[type=submit]").click()
    tab.wait_for_url("**/admin/")


def test_staff_check_in_by_typed_code_on_a_phone(browser, live_server, demo_site, tmp_path):
    event, (first, _second) = two_registrations()
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **PHONE)
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(tab)
    tab.goto(f"/events/{event.pk}/check-in/")
    assert tab.locator("#count-confirmed").inner_text() == "2"
    tab.fill("#code", tickets.ticket_code(first).lower())
    tab.get_by_role("button", name="签到", exact=True).click()
    answer = tab.locator("#answer")
    expect(tab.locator("#answer")).to_have_class(re.compile("answer-checked_in"))
    assert tab.locator("#answer-title").inner_text() == "签到成功"
    assert tab.locator("#answer-name").inner_text() == "周敏"
    assert tab.locator("#count-checked-in").inner_text() == "1"
    tab.screenshot(path=str(tmp_path / "check-in-phone.png"), full_page=True)

    tab.get_by_role("button", name="签到", exact=True).click()
    expect(tab.locator("#answer")).to_have_class(re.compile("answer-already"))
    assert re.fullmatch(r"已于 \d\d:\d\d 签到", tab.locator("#answer-title").inner_text())
    assert "answer-already" in answer.get_attribute("class")
    assert tab.locator("#count-checked-in").inner_text() == "1"
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1
    assert not errors
    context.close()


def _qr_video(path, code: str, frames: int = 30) -> None:
    """A Y4M clip of the ticket's QR code, for Chromium's fake camera."""
    qr = segno.make_qr(code, error="m")
    image_path = path.with_suffix(".png")
    qr.save(str(image_path), scale=12, border=4)
    image = Image.open(image_path).convert("L")
    width, height = 640, 480
    canvas = Image.new("L", (width, height), 255)
    image.thumbnail((440, 440))
    canvas.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    y = canvas.tobytes()
    chroma = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as clip:
        clip.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            clip.write(b"FRAME\n" + y + chroma + chroma)


def test_staff_check_in_by_scanning_with_the_camera(browser, live_server, demo_site, tmp_path):
    """The camera path, on Chromium's fake camera playing a clip of the ticket's QR code."""
    event, (_first, second) = two_registrations()
    clip = tmp_path / "ticket.y4m"
    _qr_video(clip, tickets.ticket_code(second))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
    ]
    camera_browser = browser.browser_type.launch(executable_path=str(CHROMIUM), args=args)
    try:
        context = camera_browser.new_context(
            locale="zh-CN", base_url=live_server.url, permissions=["camera"], **PHONE
        )
        tab = context.new_page()
        sign_in(tab)
        tab.goto(f"/events/{event.pk}/check-in/")
        tab.locator("#camera-start").click()
        expect(tab.locator("#answer")).to_have_class(re.compile("answer-checked_in"), timeout=20000)
        assert tab.locator("#answer-name").inner_text() == "吴刚"
        # Chromium on Linux has no BarcodeDetector: the portal's own jsQR read the code.
        assert tab.locator("script[src$='jsQR.js']").count() == 1
    finally:
        camera_browser.close()
    assert Registration.objects.get(pk=second.pk).checked_in_at is not None
