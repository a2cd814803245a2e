"""Helpers the browser tests share: the viewport widths, a respondent's new link, the
axe-core check of a page, and the admin who logs in."""

from survey_app.auth.accounts import create_admin
from survey_app.extensions import db
from tests.factories import make_invitation, make_unit

WIDTHS = {
    "desktop": {"width": 1280, "height": 900},
    "375px": {"width": 375, "height": 812},
}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PASSWORD = "oikein-pitka-salasana"
ADMIN_EMAIL = "saavutettava@example.fi"


def new_link(live_server, language="fi") -> str:
    with live_server.session():
        _, path = make_invitation(unit=make_unit(language=language))
    return live_server.url + path


def check_page(page, width, axe_source, shots_dir, name) -> None:
    page.screenshot(path=str(shots_dir / f"{name}-{width}.png"), full_page=True)
    page.add_script_tag(content=axe_source)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert results["violations"] == [], describe(results["violations"], page.url)
    if width == "desktop":
        assert_no_table_cut(page)
    if width == "375px":
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (
            f"{page.url} scrolls sideways at 375 px: scrollWidth {scroll_width} > "
            f"innerWidth {inner_width}"
        )


CUT_TABLES = """() => {
  const cut = [];
  for (const box of document.querySelectorAll(".table-scroll")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const text = box.textContent.trim().slice(0, 60);
      cut.push(`scrolls ${box.scrollWidth}>${box.clientWidth}: ${text}`);
    }
  }
  const right = document.documentElement.clientWidth;
  for (const table of document.querySelectorAll("table")) {
    if (table.getBoundingClientRect().right > right + 1) {
      cut.push(`past the window: ${table.textContent.trim().slice(0, 60)}`);
    }
  }
  return cut;
}"""


def assert_no_table_cut(page) -> None:
    """At 1280 px an admin sees every column: no table scrolls sideways or runs past
    the window (on phones they may scroll)."""
    cut = page.evaluate(CUT_TABLES)
    assert cut == [], f"{page.url} cuts tables at {page.viewport_size['width']} px: {cut}"


def describe(violations, url) -> str:
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    target {node['target']}: {node['failureSummary']!r}")
    return "\n".join(lines)


def ensure_admin(live_server, email=ADMIN_EMAIL, *, with_unit=True) -> str:
    """A national admin with PASSWORD, made once per session. with_unit: when the admin
    is made, a unit in Itä-Suomi is made too, so that the roster has one."""
    with live_server.session():
        from survey_app.models import Admin

        if db.session.query(Admin).filter_by(email=email).first() is None:
            if with_unit:
                make_unit(region="Itä-Suomi")
            create_admin(email, "national", None, PASSWORD)
            db.session.commit()
    return email


def log_in(page, live_server, email, password=PASSWORD):
    page.goto(live_server.url + "/admin/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def submitted_cell(page):
    """The dashboard's count of units that submitted."""
    return page.locator('#dashboard-rates tr:has(th:text-is("Vastanneet")) td').first
