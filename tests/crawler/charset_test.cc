#include "crawler/charset.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include "tests/testing/temp_dir.h"

namespace shagym::crawler {
namespace charset_test {

// An independent reference decoder (glibc iconv) for the real-world files.
std::string Iconv(const std::string& bytes, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return "<iconv_open failed>";
  std::string out(bytes.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* o = out.data();
  size_t out_left = out.size();
  size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) return "<iconv failed>";
  out.resize(out.size() - out_left);
  return out;
}

class RealworldCharsetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = shagym::testing::RealworldDir();
    if (dir_.empty()) GTEST_SKIP() << "../shared/realworld is absent";
  }
  std::string Read(const std::string& name) {
    std::string s = shagym::testing::ReadFile(dir_ + "/encoding/" + name);
    EXPECT_FALSE(s.empty()) << name;
    return s;
  }
  std::string dir_;
};

TEST_F(RealworldCharsetTest, MetaDeclaredWindows1251Page) {
  std::string bytes = Read("dle_profile_page_windows-1251.htm");
  DecodedText d = DecodeToUtf8(bytes, "text/html");
  EXPECT_EQ(d.source, "meta");
  EXPECT_EQ(d.charset, "windows-1251");
  EXPECT_EQ(d.utf8, Iconv(bytes, "WINDOWS-1251"));
  EXPECT_NE(d.utf8.find("Загрузка. Пожалуйста, подождите..."),
            std::string::npos);
}

TEST_F(RealworldCharsetTest, UndeclaredWindows1251IsDetected) {
  std::string bytes = Read("uchardet_ru_windows-1251.txt");
  DecodedText d = DecodeToUtf8(bytes, "text/plain");
  EXPECT_EQ(d.source, "detected");
  EXPECT_EQ(d.charset, "windows-1251");
  EXPECT_EQ(d.utf8, Iconv(bytes, "WINDOWS-1251"));
}

TEST_F(RealworldCharsetTest, UndeclaredKoi8rIsDetected) {
  std::string bytes = Read("uchardet_ru_koi8-r.txt");
  DecodedText d = DecodeToUtf8(bytes, "");
  EXPECT_EQ(d.source, "detected");
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.utf8, Iconv(bytes, "KOI8-R"));
}

TEST_F(RealworldCharsetTest, UndeclaredKoi8rFeedIsDetected) {
  std::string bytes = Read("feedparser_rss_koi8-r_undeclared.xml");
  DecodedText d = DecodeToUtf8(bytes, "application/rss+xml");
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_EQ(d.utf8, Iconv(bytes, "KOI8-R"));
  EXPECT_NE(d.utf8.find("Как пережить новогоднюю ночь"), std::string::npos);
}

TEST_F(RealworldCharsetTest, LabelledSingleByteCharsets) {
  const std::pair<const char*, const char*> files[] = {
      {"uchardet_ru_ibm866.txt", "IBM866"},
      {"uchardet_ru_iso-8859-5.txt", "ISO-8859-5"},
      {"uchardet_ru_mac-cyrillic.txt", "MAC-CYRILLIC"},
      {"uchardet_ru_koi8-r.txt", "KOI8-R"},
      {"uchardet_ru_windows-1251.txt", "WINDOWS-1251"},
  };
  for (const auto& [name, iconv_name] : files) {
    std::string bytes = Read(name);
    std::string label = iconv_name;
    if (label == "MAC-CYRILLIC") label = "x-mac-cyrillic";
    DecodedText d = DecodeToUtf8(bytes, "text/plain; charset=" + label);
    EXPECT_EQ(d.source, "header") << name;
    EXPECT_EQ(d.utf8, Iconv(bytes, iconv_name)) << name;
  }
}

TEST(CharsetTest, HeaderBomMetaXmlOrder) {
  // Header wins over meta.
  std::string cp1251 = "\xEF\xF0\xE8\xE2\xE5\xF2";  // "привет"
  DecodedText d = DecodeToUtf8("<meta charset=koi8-r>" + cp1251,
                               "text/html; charset=\"windows-1251\"");
  EXPECT_EQ(d.source, "header");
  EXPECT_NE(d.utf8.find("привет"), std::string::npos);
  // BOM wins over the header.
  d = DecodeToUtf8("\xEF\xBB\xBFсәлем", "text/html; charset=windows-1251");
  EXPECT_EQ(d.source, "bom");
  EXPECT_EQ(d.utf8, "сәлем");
  // http-equiv form.
  d = DecodeToUtf8(
      "<html><head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; "
      "charset=windows-1251'></head><body>" +
          cp1251,
      "text/html");
  EXPECT_EQ(d.source, "meta");
  EXPECT_NE(d.utf8.find("привет"), std::string::npos);
  // XML declaration.
  d = DecodeToUtf8(
      "<?xml version=\"1.0\" encoding=\"windows-1251\"?><t>" + cp1251 + "</t>",
      "application/xml");
  EXPECT_EQ(d.source, "xml");
  EXPECT_NE(d.utf8.find("привет"), std::string::npos);
  // UTF-16 with a BOM.
  d = DecodeToUtf8(std::string("\xFF\xFE"
                               "a\0b\0",
                               6),
                   "");
  EXPECT_EQ(d.source, "bom");
  EXPECT_EQ(d.utf8, "ab");
}

TEST(CharsetTest, LyingUtf8HeaderFallsThrough) {
  std::string cp1251 = "<meta charset=windows-1251>\xEF\xF0\xE8\xE2\xE5\xF2";
  DecodedText d = DecodeToUtf8(cp1251, "text/html; charset=utf-8");
  EXPECT_EQ(d.source, "meta");
  EXPECT_NE(d.utf8.find("привет"), std::string::npos);
}

TEST(CharsetTest, InvalidBytesReplacedNeverCrash) {
  DecodedText d =
      DecodeToUtf8("ok \xC3 then \xFF\xFE\xFD", "text/plain; charset=utf-8");
  EXPECT_TRUE(IsValidUtf8(d.utf8));
  EXPECT_EQ(DecodeToUtf8("", "").utf8, "");
  d = DecodeToUtf8("abc", "text/html; charset=no-such-charset");
  EXPECT_EQ(d.utf8, "abc");
  d = DecodeToUtf8("<meta charset=", "text/html");
  EXPECT_EQ(d.utf8, "<meta charset=");
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk.push_back(static_cast<char>(i * 37));
  d = DecodeToUtf8(junk, "");
  EXPECT_TRUE(IsValidUtf8(d.utf8));
  EXPECT_FALSE(ConvertToUtf8("x", "no-such-charset").ok());
}

TEST(CharsetTest, ContentTypeParts) {
  EXPECT_EQ(CharsetParameter("text/html; charset=KOI8-R"), "KOI8-R");
  EXPECT_EQ(CharsetParameter("text/html;charset=\"utf-8\""), "utf-8");
  EXPECT_EQ(CharsetParameter("text/html"), "");
  EXPECT_EQ(MediaType(" Text/HTML ; charset=x"), "text/html");
  EXPECT_EQ(MediaType(""), "");
}

}  // namespace charset_test
}  // namespace shagym::crawler
