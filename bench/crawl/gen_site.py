#!/usr/bin/env python3
"""Generates the benchmark site: N pages of ~8 KB Kazakh/Russian text, ~10
links each (8 inside the site, 1 into a robots-disallowed path, 1 to another
host), spread over H hosts (one directory per host, served by nginx on
127.0.0.1:BASE_PORT+h). Deterministic for a given seed. --posts-jsonl also
writes the posts' texts as `shagym classify` input, to time classification
of the bench's text apart from the crawl:

  python3 bench/crawl/gen_site.py --out /tmp/site --pages 2000 \
      --posts-jsonl /tmp/posts.jsonl
  /usr/bin/time build/app/shagym classify --input /tmp/posts.jsonl \
      --output /dev/null
"""
import argparse
import json
import os
import random

WORDS = ("мектеп оқушы мұғалім сынып директор ата-ана балалар бала ас үй "
         "жөндеу қорлау зорлық ақша пара кезек жатақхана автобус "
         "школа ученик учитель класс директор родители дети ребенок столовая "
         "ремонт буллинг травля деньги взятка очередь общежитие автобус "
         "аулада бүгін кеше ертең жылы суық терезе есік шатыр су жылу "
         "сегодня вчера завтра тепло холодно окно дверь крыша вода отопление "
         "Тараз Алматы Астана Шымкент облысы қаласы район город").split()


# Real posts draw on tens of thousands of word forms with a Zipf-like
# frequency; a bag of the ~110 words above alone would make every post share
# most of its words and bigrams with every other (pathological for SimHash
# and MinHash duplicate detection). So: the words above as the frequent head,
# then their inflected forms, then made-up stems from syllables.
SUFFIXES = ("лар", "дың", "ға", "да", "дан", "мен", "ның", "ы", "а", "ой",
            "ами", "ах", "ом", "у", "ов", "ей", "ке", "тің")
SYLLABLES = ("ка ра мек тап оқ жа са бі лі ті ну ро ва ли по ст ен ар құ "
             "ме ре то ко ша ба те ды ғы не пе жо ду").split()


def vocabulary(rng):
    words = list(WORDS)
    words += [w + s for w in WORDS for s in SUFFIXES]
    seen = set(words)
    while len(words) < 30000:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    weights, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1)
        weights.append(total)
    return words, weights


VOCAB = None


def text(rng, n_words):
    words, cum = VOCAB
    return " ".join(rng.choices(words, cum_weights=cum, k=n_words))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--hosts", type=int, default=1)
    ap.add_argument("--base-port", type=int, default=18100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--posts-jsonl", help="also write the posts' texts here")
    a = ap.parse_args()
    posts_out = open(a.posts_jsonl, "w") if a.posts_jsonl else None
    rng = random.Random(a.seed)
    global VOCAB
    VOCAB = vocabulary(random.Random(a.seed + 1))
    per_host = (a.pages + a.hosts - 1) // a.hosts
    urls = []
    for h in range(a.hosts):
        root = os.path.join(a.out, "h%d" % h)
        os.makedirs(os.path.join(root, "p"), exist_ok=True)
        with open(os.path.join(root, "robots.txt"), "w") as f:
            f.write("User-agent: *\nDisallow: /private/\n")
        port = a.base_port + h
        n_here = min(per_host, a.pages - h * per_host)
        for i in range(n_here):
            links = []
            # A spanning chain so every page is reachable, plus random ones.
            links.append("/p/%d.html" % ((i + 1) % n_here))
            for _ in range(7):
                links.append("/p/%d.html" % rng.randrange(n_here))
            links.append("/private/%d.html" % rng.randrange(1000))
            other = rng.randrange(a.hosts) if a.hosts > 1 else None
            if other is not None and other != h:
                links.append("http://127.0.0.1:%d/p/%d.html" %
                             (a.base_port + other, rng.randrange(per_host)))
            else:
                links.append("http://elsewhere.invalid/p/%d.html" % i)
            texts = [(text(rng, 120), rng.randrange(500)) for _ in range(3)]
            posts = "".join(
                '<div class="post"><p class="text">%s</p><span class="author">'
                'user%d</span></div>\n' % t for t in texts)
            for k, (t, _) in enumerate(texts):
                if posts_out:
                    posts_out.write(json.dumps(
                        {"id": "h%d-%d-%d" % (h, i, k), "text": t},
                        ensure_ascii=False) + "\n")
            body = ("<!doctype html><html><head><meta charset=\"utf-8\">"
                    "<title>Бет %d</title></head><body>\n<h1>%s</h1>\n%s\n"
                    "<p>%s</p>\n<ul>%s</ul></body></html>\n" %
                    (i, text(rng, 8), posts, text(rng, 280),
                     "".join('<li><a href="%s">%s</a></li>' %
                             (l, text(rng, 2)) for l in links)))
            with open(os.path.join(root, "p", "%d.html" % i), "w") as f:
                f.write(body)
            urls.append("http://127.0.0.1:%d/p/%d.html" % (port, i))
    with open(os.path.join(a.out, "urls.txt"), "w") as f:
        f.write("\n".join(urls) + "\n")
    if posts_out:
        posts_out.close()


if __name__ == "__main__":
    main()
