#!/usr/bin/python3
"""The Scrapy peer of the crawl benchmark: a CrawlSpider that follows the same
links (robots.txt obeyed) and extracts the same posts.

  scrapy_spider.py START_URL [START_URL...]   (env MAX_PAGES caps the crawl)
"""
import os
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class SiteSpider(CrawlSpider):
    name = "site"
    rules = (Rule(LinkExtractor(allow=r"^http://127\.0\.0\.1:\d+/p/"),
                  callback="parse_item", follow=True),)

    def parse_start_url(self, response):
        return self.parse_item(response)

    def parse_item(self, response):
        for post in response.css("div.post"):
            yield {"text": post.css("p.text::text").get(),
                   "author": post.css("span.author::text").get(),
                   "url": response.url}


class CountItems:
    items = 0

    def process_item(self, item, spider):
        CountItems.items += 1
        return item


def main():
    settings = {
        "LOG_LEVEL": "ERROR",
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0,
        "TELNETCONSOLE_ENABLED": False,
        "ITEM_PIPELINES": {"__main__.CountItems": 100},
        "CLOSESPIDER_PAGECOUNT": int(os.environ.get("MAX_PAGES", "0")),
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, start_urls=sys.argv[1:])
    process.start()
    stats = crawler.stats.get_stats()
    print("pages %d items %d" % (stats.get("response_received_count", 0),
                                 CountItems.items))


if __name__ == "__main__":
    main()
