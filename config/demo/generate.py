#!/usr/bin/env python3
"""Generates the demo world under config/demo/site/ and config/demo/expected.json.

Deterministic (fixed seed, standard library only): running it again gives the
same files byte for byte, so the generated files are committed and `shagym demo`
needs no generation step. Texts come from texts.py (hand-written for the demo).

The site imitates real page shapes:
  /s/<channel>[?before=N]      Telegram channel previews (tgme_widget_message...)
  /<channel>                   a channel without a public preview (/s/ redirects)
  /news/rss.xml                RSS 2.0 feed; item pages carry comment threads
  /forum/f/<section>[?page=N]  forum sections; /forum/t/<id>[?page=N] threads
  /api/v1/timelines/tag/<tag>  Mastodon-like JSON with Link paging (?max_id=N)
  /robots.txt                  disallows /forum/admin/ and /forum/search
A file "<name>.headers" next to a page holds extra response lines (Status,
Content-Type, Link, Location). "http://demo.invalid" in any file is replaced
by the site's real address when it is served.

Usage: python3 config/demo/generate.py [--dump-posts FILE.jsonl]
"""

import datetime as dt
import html
import json
import os
import random
import shutil
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import texts  # noqa: E402

SEED = 20261125
BASE = "http://demo.invalid"
HERE = os.path.dirname(os.path.abspath(__file__))
SITE = os.path.join(HERE, "site")
FIRST_DAY = dt.date(2026, 5, 1)
LAST_DAY = dt.date(2026, 11, 20)
LOCAL_OFFSET_H = 5  # Kazakhstan, UTC+5

CITY = {c[0]: dict(zip(
    ["region", "ru", "ru_in", "kk", "kk_loc", "lat", "lat_loc", "obl_ru",
     "obl_kk"], c)) for c in texts.CITIES}

CHANNELS = {
    # id: (title, description, region or None)
    "qogam_demo": ("Qoğam News (demo)", "Жаңалықтар / Новости Казахстана", None),
    "shymkent_demo": ("Шымкент Online (demo)", "Новости Шымкента", "shymkent"),
    "ata_ana_demo": ("Ата-аналар үні (demo)", "Ата-аналар арнасы / канал родителей", None),
    "pavlodar_demo": ("Павлодар күні (demo)", "Новости Павлодарской области", "pavlodar"),
    "almaty_akimat_demo": ("Акимат Алматы (demo)", "Официальный канал (demo)", "almaty"),
}

# Which category is likely in which month (schools close June-August).
SEASON = {
    5: {"exams": 5, "camps_leisure": 1, "bullying": 3, "violence": 2},
    6: {"exams": 6, "camps_leisure": 6, "overcrowding_access": 2},
    7: {"camps_leisure": 8, "exams": 2, "licensing_legal": 2},
    8: {"overcrowding_access": 6, "camps_leisure": 4, "other_complaint": 3,
        "licensing_legal": 2, "extortion_corruption": 2},
    9: {"extortion_corruption": 5, "overcrowding_access": 4,
        "other_complaint": 4, "safety_security": 2, "bullying": 2},
    10: {"bullying": 4, "infrastructure": 4, "violence": 3, "food": 2,
         "staff_misconduct": 2, "mental_health": 2},
    11: {"infrastructure": 5, "bullying": 3, "mental_health": 3,
         "staff_misconduct": 2, "safety_security": 2},
}
SUMMER = (6, 7, 8)
HOUR_WEIGHTS = [1, 1, 0, 0, 0, 0, 1, 3, 5, 5, 6, 6, 6, 5, 4, 4, 4, 5, 6, 7, 7,
                6, 4, 2]  # local hours 0..23
SUMS = ["2 000", "3 000", "5 000", "10 000", "15 000", "20 000"]
LANGS = (["ru"] * 50) + (["kk"] * 28) + (["lat"] * 11) + (["mix"] * 11)

HEADLINE = {
    "bullying": "Родители жалуются на травлю в школе №{s}",
    "violence": "Драка в школе №{s}: ученик пострадал",
    "extortion_corruption": "В школе №{s} снова собирают деньги с родителей",
    "safety_security": "Школа №{s} осталась без охраны",
    "infrastructure": "В школе №{s} холодно и течёт крыша",
    "food": "Жалобы на питание в школе №{s}",
    "staff_misconduct": "Учителя школы №{s} обвиняют в грубости",
    "mental_health": "Школьникам не хватает психологов",
    "licensing_legal": "Частная школа работает без лицензии",
    "overcrowding_access": "В школе №{s} не хватает мест",
    "exams": "Выпускники оспаривают результаты ЕНТ",
    "camps_leisure": "Родители недовольны летним лагерем",
    "other_complaint": "Родители жалуются на школу №{s}",
}

rng = random.Random(SEED)


def days():
    d = FIRST_DAY
    while d <= LAST_DAY:
        yield d
        d += dt.timedelta(days=1)


def at(day, hour=None, minute=None):
    """A UTC datetime on local `day` at a realistic local hour."""
    if hour is None:
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    if minute is None:
        minute = rng.randrange(60)
    local = dt.datetime(day.year, day.month, day.day, hour, minute,
                        rng.randrange(60))
    return local - dt.timedelta(hours=LOCAL_OFFSET_H)


def slots(city, school=None):
    s = dict(CITY[city])
    s.update(
        s=school or str(rng.choice(range(1, 121))),
        g=str(rng.randrange(1, 12)),
        l=rng.choice("АБВГ"),
        sum=rng.choice(SUMS),
        n=str(rng.randrange(9, 31)),
    )
    return s


def homoglyph(text):
    """Puts a Latin 'o' inside one Cyrillic word, as people sometimes do."""
    i = text.find("о", 10)
    return text if i < 0 else text[:i] + "o" + text[i + 1:]


def compose(template, lang, sl, decorate=True):
    text = template.format(**sl)
    if decorate:
        text = rng.choice(texts.OPENERS[lang]) + text
        closer = rng.choice(texts.CLOSERS[lang])
        if closer:
            text += ("\n" + closer.strip()) if rng.random() < 0.5 else closer
        if lang == "ru" and rng.random() < 0.04:
            text = homoglyph(text)
    return text


posts = []  # every post of the world, each a dict
seen_texts = set()


def add(post):
    posts.append(post)
    seen_texts.add(post["text"])
    return post


def unique_text(make, lang):
    for attempt in range(200):
        t = make()
        if attempt >= 20:
            t += " " + " ".join(rng.sample(texts.EXTRAS[lang], 2))
        if t not in seen_texts:
            return t
    raise SystemExit("could not make a unique text")


def background():
    for day in days():
        summer = day.month in SUMMER
        rate = 1.4 if summer else 2.5
        if day.weekday() >= 5:
            rate *= 0.65
        n = sum(1 for _ in range(8) if rng.random() < rate / 8)
        for _ in range(n):
            city = rng.choices(list(CITY), weights=[
                6 if c in ("almaty", "astana", "shymkent") else 2
                for c in CITY])[0]
            lang = rng.choice(LANGS)
            if rng.random() < 0.62:
                weights = SEASON[day.month]
                cats = list(texts.COMPLAINTS)
                cat = rng.choices(cats, weights=[
                    weights.get(c, 0.6 if summer else 1.2) for c in cats])[0]
                pool = texts.COMPLAINTS[cat][lang]
                kind, neg = "complaint", None
            else:
                neg = rng.choices(list(texts.NEGATIVES),
                                  weights=[2, 3, 3, 2, 2])[0]
                pool = texts.NEGATIVES[neg][lang]
                kind, cat = "negative", None
            text = unique_text(lambda: compose(
                rng.choice(pool), lang, slots(city),
                decorate=(neg is None)), lang)
            add(dict(text=text, lang=lang, time=at(day), kind=kind,
                     category=cat, negative=neg, region=city, spike=None))


def spikes():
    for sp in texts.SPIKES:
        start = dt.date.fromisoformat(sp["start"])
        city = sp["city"]
        sl = slots(city, sp["school"])
        first = sp["first"].format(**sl)
        t0 = at(start, 9, 5)
        home = {"shymkent": "shymkent_demo", "pavlodar": "pavlodar_demo"}.get(
            city, "qogam_demo")
        story = add(dict(text=first, lang="ru", time=t0, kind="complaint",
                         category=sp["category"], negative=None, region=city,
                         spike=sp["id"], venue=home, role="first"))
        # Forwards of the same message to other channels (exact reposts).
        for k, ch in enumerate(c for c in ("qogam_demo", "ata_ana_demo")
                               if c != home):
            add(dict(story, time=t0 + dt.timedelta(minutes=40 + 55 * k),
                     venue=ch, role="forward", forwarded_from=home))
        # A rewrite in Kazakh and a news item.
        add(dict(story, text=sp["first_kk"].format(**sl), lang="kk",
                 time=t0 + dt.timedelta(hours=2, minutes=10),
                 venue="ata_ana_demo" if home != "ata_ana_demo" else "qogam_demo",
                 role="rewrite"))
        add(dict(story, text=first, time=t0 + dt.timedelta(hours=3),
                 venue="news", role="news", title=sp["news_title"]))
        # The official answer the next day (not a complaint).
        official_venue = "almaty_akimat_demo" if city == "almaty" else home
        add(dict(text=sp["official"], lang="ru",
                 time=at(start + dt.timedelta(days=1), 11, 30),
                 kind="negative", category=None, negative="official",
                 region=city, spike=sp["id"], venue=official_venue,
                 role="official"))
        # What people write over the next days.
        per_day = [16, 10, 6, 3][:sp["days"]]
        for d, count in enumerate(per_day):
            day = start + dt.timedelta(days=d)
            for _ in range(count):
                lang = rng.choice(LANGS)
                tpl = rng.choice(sp["reactions"][lang])
                text = unique_text(lambda: compose(tpl, lang, slots(city)), lang)
                time = at(day)
                if d == 0 and time <= t0:
                    time = t0 + dt.timedelta(minutes=rng.randrange(20, 600))
                add(dict(text=text, lang=lang, time=time, kind="complaint",
                         category=sp["category"], negative=None, region=city,
                         spike=sp["id"], role="reaction"))


def akimat():
    """The Almaty akimat channel: announcements and greetings, no complaints."""
    day = FIRST_DAY + dt.timedelta(days=3)
    while day <= LAST_DAY:
        neg = rng.choice(["official", "official", "celebration"])
        pool = texts.NEGATIVES[neg]["ru"]
        text = unique_text(lambda: compose(
            rng.choice(pool), "ru", slots("almaty"), decorate=False), "ru")
        add(dict(text=text, lang="ru", time=at(day, rng.randrange(9, 18)),
                 kind="negative", category=None, negative=neg,
                 region="almaty", spike=None, venue="almaty_akimat_demo"))
        day += dt.timedelta(days=rng.randrange(6, 13))


def assign_venues():
    """Decides where each post appears."""
    for p in posts:
        if "venue" in p:
            continue
        r = rng.random()
        if p["negative"] == "official":
            if p["region"] == "almaty" and r < 0.7:
                p["venue"] = "almaty_akimat_demo"
            else:
                p["venue"] = "news" if r < 0.85 else "qogam_demo"
            continue
        if p["region"] == "shymkent" and r < 0.6:
            p["venue"] = "shymkent_demo"
            continue
        if p["region"] == "pavlodar" and r < 0.6:
            p["venue"] = "pavlodar_demo"
            continue
        if p["lang"] == "ru" and p["kind"] == "complaint" and r < 0.1:
            p["venue"] = "news"
            continue
        p["venue"] = rng.choices(
            ["qogam_demo", "ata_ana_demo", "forum", "comment", "social"],
            weights=[24, 18 if p["lang"] != "ru" else 8, 24, 18, 14])[0]


# --------------------------------------------------------------------------
# Rendering


def esc(s):
    return html.escape(s, quote=True)


def text_html(s):
    return "<br/>".join(esc(line) for line in s.split("\n"))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def write(rel, content, encoding="utf-8"):
    path = os.path.join(SITE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content.encode(encoding) if isinstance(content, str) else content)


def headers(rel, lines):
    write(rel + ".headers", "".join(line + "\n" for line in lines))


TG_HEAD = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{title} – Telegram</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Telegram">
<meta property="og:description" content="{desc}">
{links}</head>
<body class="widget_frame_base tgme_webpreview emoji_image thin_box_shadow tme_mode no_transitions">
<header class="tgme_header search_collapsed"><div class="tgme_container">
<div class="tgme_header_info"><div class="tgme_header_title_wrap"><div class="tgme_header_title"><span dir="auto">{title}</span></div></div>
<div class="tgme_header_counter">{subs} subscribers</div></div></div></header>
<main class="tgme_main" data-url="/{ch}">
<div class="tgme_container">
<section class="tgme_channel_history js-message_history">
"""

TG_MSG = """<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{ch}/{id}" data-view="{view}">
<div class="tgme_widget_message_user"><a href="{base}/{ch}"><i class="tgme_widget_message_user_photo bgcolor{color}" data-content="{initial}"></i></a></div>
<div class="tgme_widget_message_bubble">
<i class="tgme_widget_message_bubble_tail"></i>
<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="{base}/{ch}"><span dir="auto">{title}</span></a></div>
{forward}<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>
<div class="tgme_widget_message_footer compact js-message_footer">
<div class="tgme_widget_message_info short js-message_info"><span class="tgme_widget_message_views">{views}</span><span class="copyonly"> views</span><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="{base}/{ch}/{id}"><time datetime="{dt}" class="time">{hm}</time></a></span></div>
</div>
</div>
</div>
</div>
"""

TG_FOOT = """</section>
</div>
</main>
</body>
</html>
"""

PAGE_SIZE_TG = 20


def render_telegram(expected):
    by_channel = {}
    for ch in CHANNELS:
        msgs = sorted((p for p in posts if p["venue"] == ch),
                      key=lambda p: p["time"])
        next_id = rng.randrange(800, 4000)
        for p in msgs:
            p["native_id"] = next_id
            p["url"] = f"{BASE}/{ch}/{p['native_id']}"
            next_id += rng.choice((1, 1, 1, 2))  # deleted messages leave gaps
        by_channel[ch] = msgs
    for ch, (title, desc, _region) in CHANNELS.items():
        msgs = by_channel[ch]
        # Pages: the newest 20 at /s/<ch>, older ones at ?before=<oldest id>.
        pages = []
        end = len(msgs)
        while end > 0:
            pages.append(msgs[max(0, end - PAGE_SIZE_TG):end])
            end -= PAGE_SIZE_TG
        for k, page in enumerate(pages):
            older = pages[k + 1] if k + 1 < len(pages) else None
            before = page[0]["native_id"]
            links = ""
            if older:
                links += f'<link rel="prev" href="/s/{ch}?before={before}">\n'
            links += (f'<link rel="canonical" href="/s/{ch}'
                      + (f'?before={page[-1]["native_id"] + 1}' if k else "")
                      + '">\n')
            out = [TG_HEAD.format(title=esc(title), desc=esc(desc), ch=ch,
                                  links=links,
                                  subs=f"{rng.randrange(3, 90)}.{rng.randrange(10)}K")]
            if older:
                out.append(
                    f'<div class="tgme_widget_message_centered js-messages_more_wrap">'
                    f'<a href="/s/{ch}?before={before}" class="tme_messages_more js-messages_more" '
                    f'data-before="{before}"></a></div>\n')
            for p in page:
                fwd = ""
                if p.get("forwarded_from"):
                    src = p["forwarded_from"]
                    orig = next(q for q in posts if q.get("spike") == p["spike"]
                                and q.get("role") == "first")
                    fwd = (f'<div class="tgme_widget_message_forwarded_from accent_color">'
                           f'Forwarded from&nbsp;<a class="tgme_widget_message_forwarded_from_name" '
                           f'href="{BASE}/{src}/{orig.get("native_id", "")}"><span dir="auto">'
                           f'{esc(CHANNELS[src][0])}</span></a></div>\n')
                local = p["time"] + dt.timedelta(hours=LOCAL_OFFSET_H)
                views = rng.randrange(300, 40000)
                out.append(TG_MSG.format(
                    ch=ch, id=p["native_id"], base=BASE, color=rng.randrange(1, 8),
                    view=f"v{p['native_id']:x}{rng.randrange(1 << 30):x}",
                    initial=esc(title[0]), title=esc(title), forward=fwd,
                    text=text_html(p["text"]),
                    views=f"{views / 1000:.1f}K" if views >= 1000 else str(views),
                    dt=iso(p["time"]), hm=local.strftime("%H:%M")))
            out.append(TG_FOOT)
            # Older pages answer the link of the newer page: ?before=<its
            # oldest id>.
            name = ("index.html" if k == 0 else
                    f"before-{pages[k - 1][0]['native_id']}.html")
            write(f"s/{ch}/{name}", "".join(out))
        expected["sources"]["tg_" + ch.replace("_demo", "")] = {
            "url": f"{BASE}/s/{ch}", "posts": len(msgs), "pages": len(pages)}
    # A channel without a public preview: /s/ redirects to the contact page.
    headers("s/closed_demo/index.html",
            ["Status: 302", f"Location: {BASE}/closed_demo"])
    write("s/closed_demo/index.html", "")
    write("closed_demo/index.html", f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Telegram: Contact @closed_demo</title>
<meta property="og:title" content="Закрытый канал (demo)"></head>
<body class="no_transition"><div class="tgme_page_wrap"><div class="tgme_page">
<div class="tgme_page_title"><span dir="auto">Закрытый канал (demo)</span></div>
<div class="tgme_page_extra">1 204 subscribers</div>
<div class="tgme_page_description">Канал без публичного предпросмотра.</div>
<div class="tgme_page_action"><a class="tgme_action_button_new" href="tg://resolve?domain=closed_demo">View in Telegram</a></div>
<div class="tgme_page_context_link_wrap">If you have <strong>Telegram</strong>, you can view and join <br><strong>Закрытый канал (demo)</strong> right away.</div>
</div></div></body></html>
""")


def rfc822(t):
    return t.strftime("%a, %d %b %Y %H:%M:%S +0000")


def render_news(expected):
    items = sorted((p for p in posts if p["venue"] == "news"),
                   key=lambda p: p["time"])
    comments = sorted((p for p in posts if p["venue"] == "comment"),
                      key=lambda p: p["time"])
    # An extra item whose page is broken (500): its comments cannot be read.
    broken_time = at(dt.date(2026, 8, 19), 10, 0)
    broken = dict(text="Управление образования сообщает о готовности школ к "
                  "новому учебному году: проверено 412 зданий.", lang="ru",
                  time=broken_time, kind="negative", category=None,
                  negative="official", region=None, spike=None, venue="news",
                  broken=True)
    add(broken)
    items.append(broken)
    items.sort(key=lambda p: p["time"])
    for i, p in enumerate(items):
        p["native_id"] = 10400 + i * 7
        d = p["time"].date()
        p["url"] = f"{BASE}/news/{d:%Y/%m/%d}/{p['native_id']}.html"
        if "title" not in p:
            if p["kind"] == "complaint":
                p["title"] = HEADLINE[p["category"]].format(
                    s=str(rng.randrange(1, 121)))
            else:
                p["title"] = rng.choice(texts.NEWS_TITLES_NEG)
        p["comments"] = []
    # Each comment goes under the newest item of the last ten days (same
    # story first); without one it moves to the forum.
    cid = 50000
    for c in comments:
        candidates = [p for p in items if not p.get("broken")
                      and p["time"] < c["time"] - dt.timedelta(minutes=5)
                      and c["time"] - p["time"] < dt.timedelta(days=10)]
        same = [p for p in candidates if c["spike"] and p["spike"] == c["spike"]]
        target = (same or candidates or [None])[-1]
        if target is None:
            c["venue"] = "forum"
            continue
        cid += rng.randrange(1, 40)
        c["native_id"] = f"comment-{cid}"
        c["url"] = f"{target['url']}#comment-{cid}"
        c["author"] = rng.choice(texts.AUTHORS)
        target["comments"].append(c)
    rss = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
           '<title>Demo Today — новости образования</title>\n'
           f'<link>{BASE}/news/</link>\n'
           '<description>Новости школ Казахстана (демо)</description>\n'
           '<language>ru</language>\n']
    for p in reversed(items):
        rss.append(
            f"<item>\n<title>{esc(p['title'])}</title>\n<link>{p['url']}</link>\n"
            f'<guid isPermaLink="true">{p["url"]}</guid>\n'
            f"<pubDate>{rfc822(p['time'])}</pubDate>\n"
            f"<description>{esc(p['text'])}</description>\n</item>\n")
        rel = p["url"][len(BASE) + 1:]
        if p.get("broken"):
            headers(rel, ["Status: 500"])
            write(rel, "<html><body><h1>500 Internal Server Error</h1></body></html>\n")
            continue
        page = [f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{esc(p['title'])} — Demo Today</title></head>
<body><div class="site"><header class="masthead"><a href="{BASE}/news/">Demo Today</a></header>
<article class="news-article">
<h1 class="headline">{esc(p['title'])}</h1>
<time class="published" datetime="{iso(p['time'])}">{p['time']:%d.%m.%Y}</time>
<div class="article-body"><p>{text_html(p['text'])}</p></div>
</article>
<section class="comments"><h2>Комментарии ({len(p['comments'])})</h2>
"""]
        for c in p["comments"]:
            cid_ = c["native_id"]
            page.append(f"""<div class="comment" id="{cid_}">
<div class="comment-meta"><span class="comment-author">{esc(c['author'])}</span>
<time datetime="{iso(c['time'])}">{(c['time'] + dt.timedelta(hours=LOCAL_OFFSET_H)):%d.%m.%Y %H:%M}</time>
<a class="comment-link" href="{c['url']}">#</a></div>
<p class="comment-text">{text_html(c['text'])}</p>
</div>
""")
        page.append("</section>\n</div></body></html>\n")
        write(rel, "".join(page))
    rss.append("</channel>\n</rss>\n")
    write("news/rss.xml", "".join(rss))
    headers("news/rss.xml", ["Content-Type: application/rss+xml; charset=utf-8"])
    n_comments = sum(len(p["comments"]) for p in items)
    expected["sources"]["news"] = {
        "url": f"{BASE}/news/rss.xml", "posts": len(items) + n_comments,
        "items": len(items), "comments": n_comments}


FORUM_HEAD = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{title} — Ата-ана форумы</title></head>
<body><div id="forum"><div class="breadcrumbs"><a href="{base}/forum/">Форум</a> » <a href="{base}/forum/f/{section}">{section_title}</a></div>
<form class="search" action="{base}/forum/search"><input name="q"></form>
"""
PER_THREAD_PAGE = 10
PER_SECTION_PAGE = 12


def pager(url, k, total, charset_next="Келесі »"):
    if total <= 1:
        return ""
    parts = ['<div class="pagination">']
    for j in range(1, total + 1):
        parts.append(f'<a href="{url}?page={j}">{j}</a>')
    if k + 1 < total:
        parts.append(f'<a class="next" rel="next" href="{url}?page={k + 2}">{charset_next}</a>')
    parts.append("</div>\n")
    return " ".join(parts)


def render_forum(expected):
    fposts = sorted((p for p in posts if p["venue"] == "forum"),
                    key=lambda p: p["time"])

    def cp1251_ok(p):
        try:
            p["text"].encode("cp1251")
            return p["lang"] == "ru"
        except UnicodeEncodeError:
            return False

    # The old archive (windows-1251): Russian posts of May and early June.
    archive = [p for p in fposts if cp1251_ok(p)
               and p["time"].date() < dt.date(2026, 6, 10)][:14]
    rest = [p for p in fposts if p not in archive]
    threads = []
    tid = 100
    # Threads of the main section: a new one every dozen posts or so.
    cur = None
    for p in rest:
        if cur is None or len(cur["posts"]) >= rng.randrange(9, 26) or \
                p["time"] - cur["posts"][-1]["time"] > dt.timedelta(days=12):
            tid += rng.randrange(1, 9)
            first = p
            title = (HEADLINE[first["category"]].format(s=rng.randrange(1, 121))
                     if first["category"] else "Обсуждаем школу / Мектеп туралы")
            cur = dict(id=tid, title=title, posts=[], section="mektep",
                       charset="utf-8")
            threads.append(cur)
        cur["posts"].append(p)
    arch = dict(id=77, title="Школа и родители: старые обсуждения",
                posts=archive, section="arhiv", charset="windows-1251")
    # The archive thread ends in a truncated page (a broken page).
    threads.insert(0, arch)
    pid = 20000
    for th in threads:
        url = f"{BASE}/forum/t/{th['id']}"
        pages = [th["posts"][i:i + PER_THREAD_PAGE]
                 for i in range(0, len(th["posts"]), PER_THREAD_PAGE)]
        total = len(pages) + (1 if th["section"] == "arhiv" else 0)
        for k, page in enumerate(pages):
            out = [FORUM_HEAD.format(
                lang="ru", charset=th["charset"], title=esc(th["title"]),
                base=BASE, section=th["section"],
                section_title="Мектеп / Школа" if th["section"] == "mektep" else "Архив")]
            out.append(f'<h1 class="thread-title">{esc(th["title"])}</h1>\n')
            for p in page:
                pid += rng.randrange(1, 30)
                p["native_id"] = f"p{pid}"
                p["author"] = rng.choice(texts.AUTHORS)
                if th["charset"] != "utf-8":
                    p["author"] = rng.choice(["Ирина", "Ерлан", "Марат", "Светлана П."])
                p["url"] = (url if k == 0 else f"{url}?page={k + 1}") + f"#p{pid}"
                local = p["time"] + dt.timedelta(hours=LOCAL_OFFSET_H)
                out.append(f"""<article class="post" id="p{pid}">
<header class="post-head"><span class="author">{esc(p['author'])}</span>
<time datetime="{iso(p['time'])}">{local:%d.%m.%Y %H:%M}</time>
<a class="permalink" href="{p['url']}">#{pid}</a></header>
<div class="content">{text_html(p['text'])}</div>
</article>
""")
            nxt = "Следующая »" if th["charset"] != "utf-8" else "Келесі »"
            out.append(pager(url, k, total, nxt))
            out.append("</div></body></html>\n")
            body = "".join(out)
            files = ["index.html", "page-1.html"] if k == 0 else [f"page-{k + 1}.html"]
            for name in files:
                rel = f"forum/t/{th['id']}/{name}"
                write(rel, body, th["charset"])
                if th["charset"] != "utf-8":
                    headers(rel, [f"Content-Type: text/html; charset={th['charset']}"])
        if th["section"] == "arhiv":
            # Page cut short mid-tag: a broken page with no complete post.
            write(f"forum/t/{th['id']}/page-{len(pages) + 1}.html",
                  '<!DOCTYPE html>\n<html><head><meta charset="windows-1251">'
                  '<title>\xd4\xee\xf0\xf3\xec</title></head><body><div id="forum">'
                  '<h1 class="thread-title">\xd8\xea\xee\xeb\xe0</h1>\n<article class="po'
                  .encode("latin-1"))
            headers(f"forum/t/{th['id']}/page-{len(pages) + 1}.html",
                    ["Content-Type: text/html; charset=windows-1251"])
    # Section pages.
    for section, title, charset in (("mektep", "Мектеп / Школа", "utf-8"),
                                    ("arhiv", "Архив", "windows-1251")):
        ths = [t for t in threads if t["section"] == section]
        ths.sort(key=lambda t: t["posts"][-1]["time"], reverse=True)
        if section == "mektep":
            # A deleted thread still listed (404) on the first page.
            ths.insert(1, dict(id=999, title="Тема удалена", posts=[]))
        spages = [ths[i:i + PER_SECTION_PAGE]
                  for i in range(0, len(ths), PER_SECTION_PAGE)]
        url = f"{BASE}/forum/f/{section}"
        for k, sp in enumerate(spages):
            out = [FORUM_HEAD.format(lang="ru", charset=charset, title=title,
                                     base=BASE, section=section,
                                     section_title=title)]
            out.append(f'<h1 class="section-title">{title}</h1>\n<ul class="topics">\n')
            for t in sp:
                out.append(f'<li class="topic"><a class="topic-title" href="{BASE}/forum/t/{t["id"]}">'
                           f'{esc(t["title"])}</a> <span class="replies">{len(t["posts"])}</span></li>\n')
            out.append("</ul>\n")
            if section == "mektep" and k == 0:
                out.append(f'<div class="moderation"><a href="{BASE}/forum/admin/reports">'
                           'Жалобы модераторам</a></div>\n')
            out.append(pager(url, k, len(spages), "Келесі »" if charset == "utf-8" else "Следующая »"))
            out.append("</div></body></html>\n")
            for name in (["index.html", "page-1.html"] if k == 0 else [f"page-{k + 1}.html"]):
                rel = f"forum/f/{section}/{name}"
                write(rel, "".join(out), charset)
                if charset != "utf-8":
                    headers(rel, [f"Content-Type: text/html; charset={charset}"])
    # Behind robots.txt: must never be crawled.
    write("forum/admin/reports/index.html", f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Модерация</title></head><body><div id="forum">
<article class="post" id="p1"><header class="post-head"><span class="author">moderator</span>
<time datetime="2026-10-01T10:00:00+00:00">01.10.2026</time>
<a class="permalink" href="{BASE}/forum/admin/reports#p1">#1</a></header>
<div class="content">СЛУЖЕБНОЕ: эта страница закрыта в robots.txt и не должна попасть в shagym.</div>
</article></div></body></html>
""")
    n = sum(len(t["posts"]) for t in threads)
    expected["sources"]["forum"] = {
        "url": f"{BASE}/forum/f/mektep", "posts": n, "threads": len(threads),
        "windows_1251_posts": len(archive)}
    return archive


def render_social(expected):
    sposts = sorted((p for p in posts if p["venue"] == "social"),
                    key=lambda p: p["time"])
    base_id = 113000000000000000
    for p in sposts:
        epoch = int(p["time"].replace(tzinfo=dt.timezone.utc).timestamp())
        p["native_id"] = str(base_id + epoch * 1000 + rng.randrange(1000))
        p["author"] = rng.choice(texts.AUTHORS)
        acct = "".join(ch for ch in p["author"].lower() if ch.isascii() and ch.isalnum()) or "user"
        p["acct"] = f"{acct}@social.invalid"
        p["url"] = f"{BASE}/@{acct}/{p['native_id']}"
    newest_first = list(reversed(sposts))
    tag_path = "api/v1/timelines/tag/mektep"
    size = 20
    pages = [newest_first[i:i + size] for i in range(0, len(newest_first), size)]
    for k, page in enumerate(pages):
        arr = []
        for p in page:
            content = "".join(f"<p>{esc(line)}</p>" for line in p["text"].split("\n") if line)
            arr.append({
                "id": p["native_id"],
                "created_at": p["time"].strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "in_reply_to_id": None, "sensitive": False, "spoiler_text": "",
                "visibility": "public",
                "language": {"ru": "ru", "kk": "kk", "lat": "kk", "mix": None}[p["lang"]],
                "uri": p["url"], "url": p["url"],
                "replies_count": rng.randrange(0, 6), "reblogs_count": rng.randrange(0, 12),
                "favourites_count": rng.randrange(0, 40),
                "content": content,
                "account": {"id": str(zlib.crc32(p["acct"].encode())), "username": p["acct"].split("@")[0],
                            "acct": p["acct"], "display_name": p["author"]},
                "media_attachments": [], "mentions": [],
                "tags": [{"name": "mektep", "url": f"{BASE}/tags/mektep"}],
            })
        name = "index.json" if k == 0 else f"max_id-{pages[k - 1][-1]['native_id']}.json"
        rel = f"{tag_path}/{name}"
        write(rel, json.dumps(arr, ensure_ascii=False, indent=1) + "\n")
        link = (f'<{BASE}/{tag_path}?max_id={page[-1]["native_id"]}>; rel="next", '
                f'<{BASE}/{tag_path}?min_id={page[0]["native_id"]}>; rel="prev"')
        headers(rel, ["Content-Type: application/json; charset=utf-8", f"Link: {link}"])
    # The end of the timeline: an empty array and no Link header.
    write(f"{tag_path}/max_id-{pages[-1][-1]['native_id']}.json", "[]\n")
    headers(f"{tag_path}/max_id-{pages[-1][-1]['native_id']}.json",
            ["Content-Type: application/json; charset=utf-8"])
    expected["sources"]["social"] = {"url": f"{BASE}/{tag_path}",
                                     "posts": len(sposts), "pages": len(pages)}


ROBOTS = """# Demo site robots.txt (RFC 9309)
User-agent: *
Disallow: /forum/admin/
Disallow: /forum/search
Allow: /

User-agent: BadBot
Disallow: /
"""


def main():
    background()
    akimat()
    spikes()
    assign_venues()
    # Posts in Latin-script Kazakh carry "lang" kk in the product; keep a note.
    if os.path.isdir(SITE):
        shutil.rmtree(SITE)
    os.makedirs(SITE)
    expected = {"generated_by": "config/demo/generate.py", "seed": SEED,
                "site_base": BASE, "sources": {}}
    render_news(expected)  # may move comments to the forum: before the forum
    render_telegram(expected)
    archive = render_forum(expected)
    render_social(expected)
    write("robots.txt", ROBOTS)
    write("index.html", f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>shagym demo site</title></head><body>
<h1>shagym demo site</h1><p>Invented sample pages for <code>shagym demo</code>.</p>
<ul>
{"".join(f'<li><a href="{BASE}/s/{ch}">{esc(t)}</a></li>' for ch, (t, _, _) in CHANNELS.items())}
<li><a href="{BASE}/news/rss.xml">Demo Today RSS</a></li>
<li><a href="{BASE}/forum/f/mektep">Forum</a></li>
<li><a href="{BASE}/api/v1/timelines/tag/mektep">#mektep (JSON)</a></li>
</ul></body></html>
""")
    stored = [p for p in posts if p.get("url")]
    assert len(stored) == sum(s["posts"] for s in expected["sources"].values()), \
        "every post must be placed on a page exactly once"
    assert len({p["url"] for p in stored}) == len(stored), "duplicate permalink"
    times = [p["time"] for p in stored]
    by_cat = {}
    for p in stored:
        if p["kind"] == "complaint":
            by_cat[p["category"]] = by_cat.get(p["category"], 0) + 1
    by_lang = {}
    for p in stored:
        by_lang[p["lang"]] = by_lang.get(p["lang"], 0) + 1
    expected.update({
        "total_posts": len(stored),
        "complaints": sum(1 for p in stored if p["kind"] == "complaint"),
        "non_complaints": sum(1 for p in stored if p["kind"] != "complaint"),
        "first_post": min(times).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_post": max(times).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "by_written_language": by_lang,
        "by_intended_category": dict(sorted(by_cat.items())),
        "regions_mentioned": sorted({p["region"] for p in stored if p["region"]}),
        "spikes": [],
        "must_find": [
            {"source": "forum", "what": "a post of the windows-1251 archive",
             "text": archive[0]["text"].split("\n")[0][:60]},
            {"source": "tg_qogam", "what": "a forwarded message",
             "text": texts.SPIKES[0]["first"].format(**CITY["shymkent"])[:60]},
        ],
        "must_not_find": [
            {"what": "a page disallowed by robots.txt",
             "text": "СЛУЖЕБНОЕ: эта страница закрыта в robots.txt"}],
        "broken_pages": [
            {"path": "/s/closed_demo", "what": "302 to a channel page without public preview"},
            {"path": "/forum/t/999", "what": "404: deleted thread still listed"},
            {"path": "/forum/t/77?page=%d" % (len([archive[i:i + PER_THREAD_PAGE] for i in range(0, len(archive), PER_THREAD_PAGE)]) + 1),
             "what": "truncated windows-1251 page, no complete post"},
            {"path": "/" + next(p for p in stored if p.get("broken"))["url"][len(BASE) + 1:],
             "what": "500 on a news item page (the RSS item itself is a post)"},
        ],
    })
    for sp in texts.SPIKES:
        mine = [p for p in stored if p["spike"] == sp["id"] and p["kind"] == "complaint"]
        start = dt.date.fromisoformat(sp["start"])
        expected["spikes"].append({
            "id": sp["id"], "category": sp["category"], "region": sp["city"],
            "from": sp["start"],
            "to": (start + dt.timedelta(days=sp["days"] - 1)).isoformat(),
            "peak_day": sp["start"], "posts": len(mine),
        })
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=2)
        f.write("\n")
    if len(sys.argv) == 3 and sys.argv[1] == "--dump-posts":
        # JSON Lines with the intended labels, for checking the rules against
        # the demo world: shagym classify --input FILE.
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            for p in sorted(stored, key=lambda p: p["time"]):
                f.write(json.dumps({
                    "id": p["url"].replace(BASE, ""), "text": p["text"],
                    "intended_category": p["category"] if p["kind"] == "complaint" else None,
                    "intended_region": p["region"], "written_lang": p["lang"],
                    "negative": p["negative"], "spike": p["spike"],
                    "published_at": p["time"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                }, ensure_ascii=False) + "\n")
    print(f"{len(stored)} posts, {sum(1 for _ in os.walk(SITE))} dirs", file=sys.stderr)


if __name__ == "__main__":
    main()
