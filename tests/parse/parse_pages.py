"""Helpers for the parse tests: small HTML pages built in code, never copied from real sites."""

from __future__ import annotations

# Plain, original filler prose so that extractors see a real body (several paragraphs).
PARAGRAPHS = [
    "The city council voted on Tuesday to extend the evening bus service to the northern districts, "
    "a change that residents of the new housing estates had requested for more than two years.",
    "According to the transport department, the extra routes will run every twenty minutes until "
    "midnight and will be paid for by the regional mobility fund rather than by higher fares.",
    "Opposition members said the plan was welcome but late, and asked why the southern districts, "
    "where many night-shift workers live, had not been included in the first phase of the project.",
    "The mayor replied that a second phase was being prepared and that a public consultation on the "
    "southern routes would open in the spring, once the first months of ridership figures are known.",
]


def article_page(
    *,
    head: str = "",
    body_top: str = "",
    paragraphs: list[str] | None = None,
    html_attrs: str = 'lang="en"',
    title: str = "Council extends night buses to northern districts",
) -> str:
    paras = "\n".join(f"<p>{p}</p>" for p in (paragraphs or PARAGRAPHS))
    return f"""<!DOCTYPE html>
<html {html_attrs}>
<head>
<title>{title}</title>
{head}
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Council extends night buses to northern districts</h1>
{body_top}
{paras}
</article></main>
<footer><p>Copyright Example Gazette</p></footer>
</body>
</html>"""

