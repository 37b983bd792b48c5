"""Contributed HTML made safe: nothing a contributor writes can run script or load from elsewhere."""

from __future__ import annotations

import pytest

from narrative.sanitise import LINK_REL, clean

REL = f'rel="{LINK_REL}"'


@pytest.mark.parametrize(("html", "expected"), [
    ("<script>alert(1)</script>Hello", "Hello"),
    ("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>Hello", "Hello"),
    ("<style>body { display: none }</style>Hello", "Hello"),
    ('<p style="position:fixed">Hello</p>', "<p>Hello</p>"),
    ('<p onclick="steal()">Hello</p>', "<p>Hello</p>"),
    ('<b onmouseover="steal()">Hello</b>', "<b>Hello</b>"),
    ('<iframe src="https://evil.example/"></iframe>Hello', "Hello"),
    ('<object data="x.swf"></object><embed src="x.swf">Hello', "Hello"),
    ('<img src="x" onerror="steal()">Hello', "Hello"),
    ('<svg onload="steal()"><circle/></svg>Hello', "Hello"),
    ('<form action="https://evil.example/"><input name="nhs"></form>Hello', "Hello"),
    ("<!-- a note --><p>Hello</p>", "<p>Hello</p>"),
    ('<p class="admonition" id="x">Hello</p>', "<p>Hello</p>"),
])
def test_dangerous_html_is_removed(html: str, expected: str) -> None:
    assert clean(html) == expected


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "jav&#x09;ascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)", "file:///etc/passwd",
])
def test_dangerous_links_lose_their_address(href: str) -> None:
    assert clean(f'<a href="{href}">x</a>') == f"<a {REL}>x</a>"


@pytest.mark.parametrize("href", ["https://www.nhs.uk/", "http://example.org/a?b=1", "mailto:team@example.org",
                                  "tel:+441234567890", "/stories/ward-7/", "../ward-7/", "#comments"])
def test_safe_links_are_kept_with_a_safe_rel(href: str) -> None:
    assert clean(f'<a href="{href}" target="_blank" rel="opener">x</a>') == f'<a href="{href}" {REL}>x</a>'


def test_safe_html_is_kept() -> None:
    html = ("<h2>Heading</h2><p><strong>bold</strong> <em>it</em> <b>b</b> <i>i</i> <u>u</u> <s>s</s> "
            '<abbr title="General Practitioner">GP</abbr> <q>quote</q> <mark>m</mark> <sub>2</sub><sup>3</sup></p>'
            "<blockquote><p>Said</p></blockquote><ul><li>one</li></ul><ol start=\"3\"><li>three</li></ol>"
            "<dl><dt>t</dt><dd>d</dd></dl><pre><code>code</code></pre><hr>"
            '<table><caption>c</caption><thead><tr><th scope="col">h</th></tr></thead>'
            "<tbody><tr><td>d</td></tr></tbody></table>")
    assert clean(html) == html


def test_h1_is_not_allowed() -> None:
    assert clean("<h1>Title</h1>") == "Title"


def test_text_is_escaped() -> None:
    assert clean("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"


def test_base_url_makes_links_absolute() -> None:
    html = ('<a href="stories/ward-7/">a</a><a href="/pledge/">b</a><a href="https://www.nhs.uk/">c</a>'
            '<a href="mailto:team@example.org">d</a><a href="#top">e</a>')
    assert clean(html, "https://stories.example.org/") == (
        f'<a href="https://stories.example.org/stories/ward-7/" {REL}>a</a>'
        f'<a href="https://stories.example.org/pledge/" {REL}>b</a>'
        f'<a href="https://www.nhs.uk/" {REL}>c</a>'
        f'<a href="mailto:team@example.org" {REL}>d</a>'
        f'<a href="https://stories.example.org/#top" {REL}>e</a>')


def test_base_url_with_a_path() -> None:
    assert clean('<a href="stories/a/">a</a>', "https://example.org/ours/") == (
        f'<a href="https://example.org/ours/stories/a/" {REL}>a</a>')


def test_base_url_does_not_rescue_a_dangerous_link() -> None:
    assert clean('<a href="javascript:alert(1)">x</a>', "https://stories.example.org/") == f"<a {REL}>x</a>"


def test_without_base_url_links_stay_relative() -> None:
    assert clean('<a href="stories/a/">a</a>') == f'<a href="stories/a/" {REL}>a</a>'
