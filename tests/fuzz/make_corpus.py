#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets into DIR/<target>/ (scripts/fuzz calls it).

Seeds are small hand-made inputs of each format, like the unit tests' fixtures (which are built by
the tests themselves): valid documents, the hostile shapes the importer caps (deep nesting, entity
expansion, escapes), and terminal escape sequences. Existing files are left alone, so what the
fuzzer found in earlier runs stays in the corpus.
"""
import io
import os
import struct
import sys
import zipfile

ESC = "\x1b"
TERMINAL = [
    "plain text\n",
    ESC + "[31mred" + ESC + "[0m and " + ESC + "]0;title\x07 osc\n",
    ESC + "]52;c;SGVsbG8=\x07 clipboard " + ESC + "P+q\x1b\\ dcs",
    "\u202eevil\u202c \u2066iso\u2069 bidi\u200f",
    "c1 \u009b31m \u0085 nel",
    "\x80\xff invalid \xc3",  # written as latin-1 bytes below
    "tab\tnew\nline\r\n\x7f del \x00 nul",
    "中文字符 emoji 👍🏽 e\u0301 combining",
]
MARKDOWN = [
    "# Heading\n\nSome **bold** and `code` with a citation [1] and [2, 3].\n",
    "- item one\n- item two\n  continued\n1. first\n2. second\n",
    "```python\nprint('x')\n```\n\nafter the fence\n",
    "<think>reasoning here</think>The answer.",
    "unclosed **bold and `code\n```\nunclosed fence",
    "## 标题\n\n这是一个很长的中文段落，用来测试换行。" * 3,
    "a" * 300 + " " + "b" * 10,
]
PROSE = [
    "The cat sat. Dr. Li arrived at 3.14 p.m. e.g. this one. Another sentence!\n\nNew paragraph?",
    "这是第一句。这是第二句！第三句？最后；",
    "word " * 400,
    "x" * 3000,
    "Mixed 中文 and English. 日本語のテキスト。한국어 문장.",
    "\n\n\n  \t spaces \u00a0 nbsp \u3000 ideographic",
]
HTML = [
    "<html><head><title>T</title><style>p{}</style><script>var x=1;</script></head>"
    "<body><h1>Head</h1><p>Para &amp; <b>bold</b> &#x4e2d;</p><ul><li>a</li><li>b</li></ul>"
    "<pre>code\n  block</pre><table><tr><td>1</td><td>2</td></tr></table></body></html>",
    "<div>" * 300 + "deep" + "</div>" * 300,
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    "<html><body><p>&lol2;</p></body></html>",
    '<meta charset="gb18030"><p>\u4e2d\u6587</p>',
    "<p>unclosed <b>tags <i>everywhere",
]
CSV = [
    "name,age,city\nAlice,30,Paris\nBob,25,\"New, York\"\n",
    "a;b;c\n1;2;3\n\"quoted \"\"x\"\"\";4;5\n",
    "single\n",
    "\"unterminated,quote\nrow2,x\n",
    "a\tb\n1\t2\n",
]
JSON = [
    '{"title": "Doc", "body": "text with \\u4e2d", "list": [1, 2.5, true, null, {"k": "v"}]}',
    "[" * 100 + "]" * 100,
    '{"a": "\\ud800 lone surrogate", "b": "\\u0000"}',
    '{"x": 1}\n{"y": 2}\n',
    "[1, 2, 3e999, -0, \"s\"]",
]


def docx(body_xml, extra=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   'wordprocessingml/2006/main"><w:body>' + body_xml + "</w:body></w:document>")
        z.writestr("docProps/core.xml",
                   '<?xml version="1.0"?><cp:coreProperties xmlns:cp="x" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                   "<dc:title>Title</dc:title></cp:coreProperties>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def para(text, style=None):
    ppr = '<w:pPr><w:pStyle w:val="%s"/></w:pPr>' % style if style else ""
    return "<w:p>%s<w:r><w:t>%s</w:t></w:r></w:p>" % (ppr, text)


DOCX = [
    docx(para("Heading", "Heading1") + para("Body text here.") + para("More &amp; more")
         + "<w:tbl><w:tr><w:tc>" + para("cell") + "</w:tc></w:tr></w:tbl>"),
    docx("<w:p>" * 50 + "deep" + "</w:p>" * 50),
    docx(para("x"), {"word/bomb.xml": "<a>" + "0" * 200000 + "</a>"}),
]


def pdf(text_ops, pages=1):
    objs = []
    kids = " ".join("%d 0 R" % (3 + 2 * i) for i in range(pages))
    objs.append("<< /Type /Catalog /Pages 2 0 R >>")
    objs.append("<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
    font = 3 + 2 * pages
    for i in range(pages):
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    "/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font))
        stream = "BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text_ops
        objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objs.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for n, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, o.encode("latin-1"))
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


PDF = [
    pdf("Hello PDF world. A sentence."),
    pdf("Page text", pages=3),
    # A page tree whose Kids point back at itself.
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [2 0 R] "
    b"/Count 1 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
]


def gguf_seed():
    def s(x):
        b = x.encode()
        return struct.pack("<Q", len(b)) + b
    kv = s("general.architecture") + struct.pack("<I", 8) + s("llama")
    kv += s("llama.block_count") + struct.pack("<I", 4) + struct.pack("<I", 2)
    kv += s("tokenizer.ggml.tokens") + struct.pack("<I", 9) + struct.pack("<IQ", 8, 2) + s("a") + s("b")
    tensor = s("token_embd.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 4, 2) + struct.pack("<I", 0) + struct.pack("<Q", 0)
    head = b"GGUF" + struct.pack("<I", 3) + struct.pack("<QQ", 1, 3) + kv + tensor
    head += b"\0" * ((32 - len(head) % 32) % 32)
    return head + b"\0" * 32


def enc(x):
    return x if isinstance(x, bytes) else x.encode("utf-8", "surrogatepass")


SEEDS = {
    "sanitize_fuzz": [b"\x03" + enc(t) for t in TERMINAL] + [b"\x00\x80\xff invalid \xc3", b"\x1f\x1b[2J\x1b[H"],
    "markdown_fuzz": [b"\x28" + enc(t) for t in MARKDOWN] + [b"\xc5" + enc(t) for t in TERMINAL],
    "chunker_fuzz": [b"\x10\x05" + enc(t) for t in PROSE] + [b"\x00\x00" + enc(t) for t in MARKDOWN],
    "fts_tokenizer_fuzz": [enc(t) for t in PROSE + MARKDOWN],
    "html_fuzz": [enc(t) for t in HTML],
    "docx_fuzz": DOCX,
    "pdf_fuzz": PDF,
    "csv_fuzz": [enc(t) for t in CSV],
    "json_fuzz": [enc(t) for t in JSON],
    "markdown_import_fuzz": [enc(t) for t in MARKDOWN + PROSE],
    "gguf_fuzz": [gguf_seed()],
    "tokenizer_fuzz": [bytes([i]) + enc(t) for i, t in enumerate(PROSE + TERMINAL)],
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "build-fuzz/corpus"
    for target, seeds in SEEDS.items():
        d = os.path.join(root, target)
        os.makedirs(d, exist_ok=True)
        for i, data in enumerate(seeds):
            path = os.path.join(d, "seed-%02d" % i)
            if not os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(data)


if __name__ == "__main__":
    main()
