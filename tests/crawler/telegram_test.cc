// Golden tests of the telegram adapter on real t.me pages
// (../shared/realworld/telegram, see its README for origin and licence).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/time_util.h"
#include "crawler/adapter.h"
#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace telegram_test {

class TelegramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::RealworldDir();
    if (dir_.empty()) {
      GTEST_SKIP() << "../shared/realworld is absent: real Telegram pages "
                      "not available, golden tests skipped";
    }
    dir_ += "/telegram";
    SourceConfig s;
    s.id = "tg";
    s.type = SourceType::kTelegram;
    s.seeds = {"https://t.me/topwar_official"};
    auto a = MakeAdapter(s);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    adapter_ = std::move(a).value();
  }

  ExtractResult Run(const std::string& file, const std::string& url) {
    FetchedPage page;
    page.url = url;
    page.final_url = url;
    page.http_status = 200;
    page.content_type = "text/html";
    page.body = testing::ReadFile(dir_ + "/" + file);
    EXPECT_FALSE(page.body.empty()) << file;
    page.fetched_at = 1677600000;  // 2023-02-28T16:00:00Z
    return adapter_->Extract(page);
  }

  std::string dir_;
  std::unique_ptr<SourceAdapter> adapter_;
};

TEST_F(TelegramTest, StartUrlIsThePreview) {
  EXPECT_EQ(adapter_->StartUrls(),
            std::vector<std::string>{"https://t.me/s/topwar_official"});
}

TEST_F(TelegramTest, FullPageGolden) {
  ExtractResult r = Run("tme_s_topwar_official_any2feed.html",
                        "https://t.me/s/topwar_official?before=71009");
  EXPECT_EQ(r.problem, PageProblem::kNone);
  struct Want {
    int id;
    const char* time;
    int64_t views;
    const char* forwarded_from;
  } want[] = {
      {70989, "2023-02-28T07:47:53Z", 37200, ""},
      {70990, "2023-02-28T08:09:50Z", 34500, ""},
      {70992, "2023-02-28T08:51:58Z", 33800, ""},
      {70995, "2023-02-28T08:54:50Z", 33600, ""},
      {70996, "2023-02-28T09:06:02Z", 32900, "Военкор Ярем"},
      {70997, "2023-02-28T10:00:03Z", 30300, ""},
      {70998, "2023-02-28T10:29:08Z", 29000, "БелВПО"},
      {70999, "2023-02-28T10:43:08Z", 28700, ""},
      {71000, "2023-02-28T10:52:36Z", 28700, ""},
      {71006, "2023-02-28T12:48:58Z", 17200, "Старше Эдды"},
      {71007, "2023-02-28T13:02:00Z", 16800, "Пул N3"},
      {71008, "2023-02-28T13:14:03Z", 14900, "ImpNavigator"},
  };
  ASSERT_EQ(r.posts.size(), std::size(want));
  for (size_t i = 0; i < r.posts.size(); ++i) {
    const ExtractedPost& p = r.posts[i];
    const std::string id = std::to_string(want[i].id);
    EXPECT_EQ(p.native_id, "topwar_official/" + id);
    EXPECT_EQ(p.url, "https://t.me/topwar_official/" + id);
    EXPECT_EQ(FormatIso8601Utc(p.published_at), want[i].time) << id;
    EXPECT_EQ(p.views, want[i].views) << id;
    EXPECT_EQ(p.forwarded_from, want[i].forwarded_from) << id;
    EXPECT_EQ(p.author, "Военное обозрение") << id;
    EXPECT_FALSE(p.text.empty()) << id;
    // Text is laid out: no indentation runs left from the markup.
    EXPECT_EQ(p.text.find("  "), std::string::npos) << id;
    EXPECT_EQ(p.text.find("\n "), std::string::npos) << id;
  }
  // <br> becomes a newline.
  EXPECT_EQ(r.posts[0].text,
            "В Санкт-Петербурге в небо над городом подняли истребители из-за "
            "неизвестного объекта в воздухе, аэропорт Пулково не принимает "
            "самолеты, сообщает Baza.\nСудя по сервису Flightradar, "
            "гражданские самолеты не приближаются к Санкт-Петербургу.");
  // Entities decoded.
  EXPECT_EQ(r.posts[3].text,
            "План \"Ковер\" отменен, небо над Санкт-Петербургом открывают, "
            "сообщает источник РЕН ТВ.");
  // The nested text block of a media message is read once.
  EXPECT_EQ(r.posts[2].text.find("Сегодня ночью в Республике"),
            r.posts[2].text.rfind("Сегодня ночью в Республике"));
  // The link preview (site "Telegram", title "Милитарист") stays out.
  EXPECT_EQ(r.posts[4].text.find("Милитарист"), std::string::npos);
  EXPECT_EQ(r.posts[4].text.find("Сообщают, что стелу"), std::string::npos);
  EXPECT_NE(r.posts[4].text.find("@yaremshooter"), std::string::npos);
  // A bold first line is its own paragraph.
  EXPECT_EQ(r.posts[6].text.rfind("Новые ракетные корабли ВМФ РФ с Калибрами "
                                  "вышли на учения в Балтийское море\n\n",
                                  0),
            0u);
  // Older messages: the "load more" link.
  EXPECT_EQ(r.next_pages, std::vector<std::string>{
                              "https://t.me/s/topwar_official?before=70989"});
  EXPECT_TRUE(r.links.empty());
}

TEST_F(TelegramTest, ContactPagesAreReportedNotEmpty) {
  ExtractResult channel =
      Run("tme_contact_channel_snscrape.html", "https://t.me/alyatrend");
  EXPECT_TRUE(channel.posts.empty());
  EXPECT_EQ(channel.problem, PageProblem::kNoPublicPreview);
  EXPECT_NE(channel.problem_detail.find("Аля про AliExpress"),
            std::string::npos);
  EXPECT_EQ(channel.next_pages,
            std::vector<std::string>{"https://t.me/s/alyatrend"});

  ExtractResult group =
      Run("tme_contact_group_snscrape.html", "https://t.me/s/besplatnowb");
  EXPECT_TRUE(group.posts.empty());
  EXPECT_EQ(group.problem, PageProblem::kNotAChannel);
  EXPECT_NE(group.problem_detail.find("group"), std::string::npos);
  EXPECT_TRUE(group.next_pages.empty());

  ExtractResult deleted =
      Run("tme_contact_deleted_snscrape.html", "https://t.me/s/tastyhouse95");
  EXPECT_TRUE(deleted.posts.empty());
  EXPECT_EQ(deleted.problem, PageProblem::kNotFound);
  EXPECT_TRUE(deleted.next_pages.empty());
}

TEST_F(TelegramTest, MessageFragments) {
  struct Want {
    const char* file;
    const char* id;
    const char* text_start;  // "" = media only, no text
    const char* author;
    const char* forwarded_from;
  } want[] = {
      {"message_text.html", "topwar_official/70991",
       "Неопознанный летающий объект замечен", "Военное обозрение", ""},
      {"message_poll.html", "it_begin/488",
       "Как лучше?\n- Несколько постов в день\n- Один пост в несколько дней",
       "IT-старт", ""},
      {"message_media_round_video.html", "bolshiepushki/3495", "",
       "Крупнокалиберный Переполох", ""},
      {"message_sticker.html", "channel/5", "", nullptr, ""},
      {"message_with_from_author.html", "channel/4", "test",
       "🅰️rkadiy Ivanov", ""},
      {"message_media_forwarded_from.html", "oper_goblin/22358",
       "Британская разведка", "Tynu40k Goblina (oper.ru)", "Пул N3"},
      {"message_link_preview_text_only.html", "oper_goblin/22368",
       "http://publication.pravo.gov.ru/Document/View/0001202302270011",
       "Tynu40k Goblina (oper.ru)", ""},
      {"message_media_photo_and_video.html", "anna_news/46908",
       "Ночью над Белгородом сбили 3 беспилотника\n\nОни упали", "ANNA-NEWS",
       ""},
  };
  for (const auto& w : want) {
    ExtractResult r =
        Run("any2feed_fragments/" + std::string(w.file), "https://t.me/s/x");
    ASSERT_EQ(r.posts.size(), 1u) << w.file;
    const ExtractedPost& p = r.posts[0];
    EXPECT_EQ(p.native_id, w.id) << w.file;
    if (*w.text_start == '\0') {
      EXPECT_EQ(p.text, "") << w.file;
    } else {
      EXPECT_EQ(p.text.rfind(w.text_start, 0), 0u) << w.file << ": " << p.text;
    }
    if (w.author) {
      EXPECT_EQ(p.author, w.author) << w.file;
    }
    EXPECT_EQ(p.forwarded_from, w.forwarded_from) << w.file;
    EXPECT_GT(p.published_at, 0) << w.file;
  }
  // The link preview of a message is not its text.
  ExtractResult r =
      Run("any2feed_fragments/message_link_preview.html", "https://t.me/s/x");
  ASSERT_EQ(r.posts.size(), 1u);
  EXPECT_EQ(r.posts[0].text.find("ОККУПАЦИЯ"), std::string::npos);
}

TEST_F(TelegramTest, EveryFragmentParses) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(dir_ + "/any2feed_fragments")) {
    ++files;
    ExtractResult r =
        Run("any2feed_fragments/" + entry.path().filename().string(),
            "https://t.me/s/x");
    // A whole message widget gives one post; a part of one (a preview, a
    // photo) is reported as not a preview page, never a crash.
    if (r.posts.empty()) {
      EXPECT_EQ(r.problem, PageProblem::kUnparseable) << entry.path();
    } else {
      EXPECT_EQ(r.posts.size(), 1u) << entry.path();
    }
  }
  EXPECT_EQ(files, 20);
}

}  // namespace telegram_test
}  // namespace shagym::crawler
