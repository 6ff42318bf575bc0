// The raw ceiling of the crawl benchmark: fetch a list of URLs with one
// curl multi handle and N transfers in flight, discarding the bodies. No
// parsing, no politeness, no storage.
//
//   bench_curl_fetch URLS_FILE [PARALLEL]

#include <curl/curl.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

size_t Discard(char*, size_t size, size_t n, void* userp) {
  *static_cast<size_t*>(userp) += size * n;
  return size * n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_curl_fetch URLS_FILE [PARALLEL]\n");
    return 2;
  }
  std::vector<std::string> urls;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) urls.push_back(line);
  }
  int parallel = argc > 2 ? std::atoi(argv[2]) : 16;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  // In-flight transfers are limited here, not with
  // CURLMOPT_MAX_TOTAL_CONNECTIONS: with that limit, a transfer to a new host
  // waits in libcurl's pending state while idle connections to other hosts
  // fill the cache (20 hosts: ~400 pages/s instead of thousands).
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, long{parallel});
  size_t next = 0, done = 0, failed = 0, bytes = 0;
  std::vector<CURL*> idle;
  auto start = [&](const std::string& url) {
    CURL* e;
    if (!idle.empty()) {
      e = idle.back();
      idle.pop_back();
    } else {
      e = curl_easy_init();
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Discard);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, &bytes);
      curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    }
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_multi_add_handle(multi, e);
  };
  int running = 0;
  while (done < urls.size()) {
    while (next < urls.size() && static_cast<int>(next - done) < parallel) {
      start(urls[next++]);
    }
    curl_multi_perform(multi, &running);
    int left = 0;
    size_t finished = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      if (m->data.result != CURLE_OK) ++failed;
      curl_multi_remove_handle(multi, m->easy_handle);
      idle.push_back(m->easy_handle);
      ++done;
      ++finished;
    }
    // Refill before waiting: polling with free slots idles the connections
    // for the whole poll timeout.
    if (finished > 0) continue;
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (CURL* e : idle) curl_easy_cleanup(e);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  std::printf("fetched %zu failed %zu bytes %zu\n", done, failed, bytes);
  return failed == 0 ? 0 : 1;
}
