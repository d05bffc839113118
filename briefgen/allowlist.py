"""The HTML briefgen writes, as an allow-list: the elements, attributes, URLs and CSS of its own templates.

A page (briefing.html, and the HTML handed to the PDF renderer) is parsed the way browsers and WeasyPrint parse
it (tinyhtml5, WeasyPrint's own HTML5 parser), and its CSS is read by a CSS tokenizer (tinycss2, WeasyPrint's
own), so that no spelling hides a script, a frame, an event handler or a URL: not `<SCRIPT>`, not
`u\\72l(`, not `@import"…"` without a space. Whatever is not on the list is a finding; `allow_listed` also
returns the page without it, for `external_resources: warn`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import tinycss2
import tinyhtml5
from tinycss2.ast import IdentToken, Node

from briefgen.resources import Finding, refusal

# The elements of text: what briefgen's page template and Python-Markdown write, and the few a template writer
# reaches for to mark up text. No scripts, frames, embeds, forms, media, <link>, <base>, SVG or MathML.
ELEMENTS = frozenset("""
    html head meta title style body header footer main nav section article aside
    h1 h2 h3 h4 h5 h6 p div span br hr wbr pre blockquote figure figcaption ul ol li dl dt dd
    table caption colgroup col thead tbody tfoot tr th td
    a img em strong b i u s small sub sup mark abbr cite code kbd samp var q time del ins bdi bdo
""".split())
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir", "style", "role"})
DATA_OR_ARIA = re.compile(r"(?:data|aria)-[a-z0-9_.-]+")  # names only a browser and the serializer agree on
ATTRIBUTES = {
    "meta": {"charset", "name", "content"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "td": {"colspan", "rowspan", "headers"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})  # where a link may go, besides a place in the briefing
# C0 controls but tab and line breaks, and DEL: no template needs them, and an escape character can make a
# browser that guesses the page's encoding read it as ISO-2022-JP, where markup hides inside text.
CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def allow_listed(html: str, base: Path, allowed: list[Path]) -> tuple[str, list[Finding]]:
    """The page with only what the allow-list keeps, and what it did not keep.

    Relative URLs are resolved against `base`; images and fonts are allowed inside `allowed` (see
    resources.refusal). A page with nothing to remove comes back as it was, byte for byte."""
    check = _Check(base, allowed)
    for control in dict.fromkeys(CONTROLS.findall(html)):
        check.found(f"a control character U+{ord(control):04X}", None, re.escape(control))
    root = tinyhtml5.parse(CONTROLS.sub("", html), namespace_html_elements=False)
    check.attributes(root)
    check.children(root)
    if not check.findings:
        return html, []
    return serialize(root), check.findings


class _Check:
    """One walk over a parsed page: records what the allow-list refuses, and takes it out of the tree."""

    def __init__(self, base: Path, allowed: list[Path]) -> None:
        self.base = base.resolve().as_uri() + "/"
        self.allowed = allowed
        self.findings: list[Finding] = []

    def found(self, what: str, reason: str | None, *clues: str) -> None:
        self.findings.append(Finding(what, reason, tuple(c for c in clues if c)))

    def children(self, parent: etree.Element) -> None:
        for child in list(parent):
            if not isinstance(child.tag, str):  # a comment: it loads nothing, and a cleaned page drops it
                _remove(parent, child)
            elif child.tag not in ELEMENTS:
                self.found(_element_name(child), None, _tag_clue(child))
                _remove(parent, child)
            else:
                self.attributes(child)
                if child.tag == "style":
                    child.text = self.css(child.text or "", in_element=True)
                self.children(child)

    def attributes(self, element: etree.Element) -> None:
        tag = element.tag
        for name, value in list(element.attrib.items()):
            if not (name in GLOBAL_ATTRIBUTES or name in ATTRIBUTES.get(tag, ()) or DATA_OR_ARIA.fullmatch(name)):
                self.found(f"an attribute {_local(name)}={_shown(value)} on <{_local(tag)}>", None,
                           _attribute_clue(tag, name), rf"(?<![\w-])({re.escape(_local(name))})\s*=")
                del element.attrib[name]
                continue
            kept = self.value(tag, name, value)
            if kept is None:
                del element.attrib[name]
            else:
                element.attrib[name] = kept

    def value(self, tag: str, name: str, value: str) -> str | None:
        """An allowed attribute's value as it may stay (its CSS cleaned), or None if it may not."""
        if name == "style":
            return self.css(value, in_element=False)
        if (tag, name) == ("meta", "charset") and value.strip().lower() != "utf-8":
            self.found(f'a <meta charset="{value}">', None, _attribute_clue(tag, name))
            return None
        if (tag, name) == ("a", "href") and not _link_allowed(value):
            self.found(f"a link to {value.strip()!r}", None, re.escape(value), _attribute_clue(tag, name))
            return None
        reason = refusal(urljoin(self.base, value.strip()), self.allowed) if (tag, name) == ("img", "src") else None
        if reason:
            self.found(value, reason, re.escape(value), _attribute_clue(tag, name))
            return None
        return value

    def css(self, text: str, in_element: bool) -> str:
        """CSS with every refused URL and import taken out (the text itself when nothing is)."""
        before = len(self.findings)
        kept = _Css(self, text).clean(tinycss2.parse_component_value_list(text, skip_comments=True))
        if len(self.findings) == before:
            return text
        cleaned = tinycss2.serialize(kept)
        return "" if in_element and "</" in cleaned else cleaned  # it must not end its <style> element


class _Css:
    """The URLs in CSS, found as tokens: url() and its escaped spellings, strings in image-set(), @import."""

    URL_FUNCTIONS = frozenset({"url", "src"})
    IMAGE_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"})

    def __init__(self, check: _Check, text: str) -> None:
        self.check = check
        self.lines = re.split(r"\r\n|[\r\n\f]", text)

    def clean(self, nodes: list[Node]) -> list[Node]:
        kept: list[Node] = []
        rest = list(nodes)
        while rest:
            node = rest.pop(0)
            if node.type == "at-keyword" and node.lower_value == "import":
                self._import(node, _statement(rest))  # the whole @import goes, up to its ';'
            else:
                kept.append(self._node(node))
        return kept

    def _node(self, node: Node) -> Node:
        if node.type == "url":
            return self._url(node, node.value)
        if node.type == "function":
            return self._function(node)
        if node.type in ("() block", "[] block", "{} block"):
            node.content = self.clean(node.content)
        return node

    def _function(self, node: Node) -> Node:
        name = node.lower_name
        arguments = [a for a in node.arguments if a.type not in ("whitespace", "error")]
        if name in self.URL_FUNCTIONS:
            if len(arguments) == 1 and arguments[0].type == "string":
                return self._url(node, arguments[0].value)
            return self._refuse(node, tinycss2.serialize([node]), "an address only known when the page is shown")
        if name in self.IMAGE_FUNCTIONS:
            if any(a.type == "function" and a.lower_name in ("var", "env", "attr") for a in arguments):
                return self._refuse(node, tinycss2.serialize([node]), "an address only known when the page is shown")
            for argument in arguments:
                if argument.type == "string" and self._refused(argument, argument.value):
                    return _none(node)
        if name == "attr" and "url" in tinycss2.serialize(node.arguments).lower():
            return self._refuse(node, tinycss2.serialize([node]), "an attribute read as an address")
        node.arguments = self.clean(node.arguments)
        return node

    def _url(self, node: Node, url: str) -> Node:
        return _none(node) if self._refused(node, url) else node

    def _refused(self, node: Node, url: str) -> bool:
        reason = refusal(urljoin(self.check.base, url.strip()), self.check.allowed)
        if reason:
            self.check.found(url, reason, *self._clues(node, url))
        return bool(reason)

    def _refuse(self, node: Node, what: str, reason: str) -> Node:
        self.check.found(what, reason, *self._clues(node, what))
        return _none(node)

    def _import(self, keyword: Node, prelude: list[Node]) -> None:
        target = next((n for n in prelude if n.type in ("string", "url", "function")), None)
        url = getattr(target, "value", "") if target is None or target.type != "function" else ""
        if target is not None and target.type == "function":
            url = next((a.value for a in target.arguments if a.type == "string"), "")
        reason = refusal(urljoin(self.check.base, url.strip()), self.check.allowed) if url else None
        self.check.found(url or "@import", reason or "a stylesheet import, which a briefing may not use",
                         *self._clues(keyword, url))

    def _clues(self, node: Node, url: str) -> tuple[str, ...]:
        """The CSS line the token is on, with the token's place in it; then the URL as written."""
        line = self.lines[node.source_line - 1] if 0 < node.source_line <= len(self.lines) else ""
        before, after = line[: node.source_column - 1].lstrip(), line[node.source_column - 1 :].rstrip()
        return (re.escape(before) + "(" + re.escape(after) + ")" if after else "", re.escape(url) if url else "")


def _statement(rest: list[Node]) -> list[Node]:
    """Takes an at-rule's tokens off the front of `rest`, up to its ';' or its block."""
    taken = []
    while rest:
        node = rest.pop(0)
        if node.type == "literal" and node.value == ";":
            break
        taken.append(node)
        if node.type == "{} block":
            break
    return taken


def _none(node: Node) -> Node:
    """What a refused URL becomes: `none`, which loads nothing wherever an image may stand."""
    return IdentToken(node.source_line, node.source_column, "none")


def _link_allowed(href: str) -> bool:
    """A link loads nothing until a reader follows it, so it may go to a web page, an e-mail address, or a
    page beside the briefing (`summary.html`, `#fn:1`); not to `javascript:`, `data:`, `file:`…"""
    parts = urlsplit(href.strip())
    return parts.scheme.lower() in LINK_SCHEMES or not (parts.scheme or parts.netloc)


def _shown(value: str, limit: int = 40) -> str:
    """An attribute's value, quoted and cut short, for a message."""
    value = " ".join(value.split())
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _local(name: str) -> str:
    """A tag or attribute name without its namespace (SVG and MathML elements have one)."""
    return name.rsplit("}", 1)[-1]


def _element_name(element: etree.Element) -> str:
    tag = _local(element.tag)
    rel = element.get("rel")
    article = "an" if tag[:1] in "aeiou" else "a"
    return f'{article} <{tag} rel="{rel}"> element' if tag == "link" and rel else f"{article} <{tag}> element"


def _tag_clue(element: etree.Element) -> str:
    return rf"(<{re.escape(_local(element.tag))})(?![\w:-])"


def _attribute_clue(tag: str, name: str) -> str:
    return rf"<{re.escape(_local(tag))}\b[^>]*?[\s\"'/]({re.escape(_local(name))})(?![\w:-])"


def _remove(parent: etree.Element, child: etree.Element) -> None:
    """Take an element out of the tree, keeping the text that follows it."""
    if child.tail:
        index = list(parent).index(child)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)


# --- writing a cleaned page back ---------------------------------------------------------------------

VOID = frozenset({"br", "col", "hr", "img", "meta", "wbr"})


def serialize(root: etree.Element) -> str:
    """A page of allow-listed elements as HTML: text and attribute values escaped, style text as it is."""
    return "<!DOCTYPE html>\n" + "".join(_html(root))


def _html(element: etree.Element):  # noqa: ANN202 - a generator of strings
    attributes = "".join(f' {name}="{_escape(value, quote=True)}"' for name, value in element.attrib.items())
    yield f"<{element.tag}{attributes}>"
    if element.tag not in VOID:
        text = element.text or ""
        if element.tag == "pre" and text.startswith("\n"):
            text = "\n" + text  # the parser drops a line break right after <pre>
        yield text if element.tag == "style" else _escape(text)
        for child in element:
            yield from _html(child)
        yield f"</{element.tag}>"
    yield _escape(element.tail or "")


def _escape(text: str, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text
