#include "crawler/fetcher.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>

#include "crawler/net_guard.h"

namespace shagym::crawler {

namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string TrimCopy(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

struct Transfer {
  FetchRequest request;
  EasyHandle easy;
  Slist headers;
  NetGuard guard;
  FetchResult result;
  bool too_large = false;
  int64_t max_bytes = 0;
  char error[CURL_ERROR_SIZE] = {};
  std::function<void(uint64_t)>* on_send = nullptr;
  // Stall detection: steady-clock ms of the last byte or progress.
  int64_t last_activity_ms = 0;
  curl_off_t last_dlnow = 0;
  int64_t stall_timeout_ms = 0;
  bool stalled = false;
};

// A coarse monotonic clock (a few ms resolution, no system call): libcurl
// calls the progress function for every chunk it reads, and stall limits are
// whole seconds in practice.
int64_t SteadyMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// libcurl calls this at least once a second, also when nothing arrives; its
// own low-speed check averages over several seconds, too slow for short
// limits.
int OnProgress(void* clientp, curl_off_t, curl_off_t dlnow, curl_off_t,
               curl_off_t) {
  auto* t = static_cast<Transfer*>(clientp);
  int64_t now = SteadyMs();
  if (dlnow != t->last_dlnow) {
    t->last_dlnow = dlnow;
    t->last_activity_ms = now;
    return 0;
  }
  if (now - t->last_activity_ms > t->stall_timeout_ms) {
    t->stalled = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t OnBody(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  size_t bytes = size * n;
  // Counted on decoded bytes, so decompression bombs stop here too.
  if (static_cast<int64_t>(t->result.body.size() + bytes) > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->result.body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t n, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after a followed redirect or a 100 Continue): keep
    // only the last one's headers.
    FetchResult& r = t->result;
    r.content_type.clear();
    r.etag.clear();
    r.last_modified.clear();
    r.retry_after.clear();
    r.location.clear();
    r.link_header.clear();
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string name = Lower(std::string(line.substr(0, colon)));
  std::string value = TrimCopy(line.substr(colon + 1));
  FetchResult& r = t->result;
  if (name == "content-type") {
    r.content_type = value;
  } else if (name == "etag") {
    r.etag = value;
  } else if (name == "last-modified") {
    r.last_modified = value;
  } else if (name == "retry-after") {
    r.retry_after = value;
  } else if (name == "location") {
    r.location = value;
  } else if (name == "link") {
    r.link_header =
        r.link_header.empty() ? value : r.link_header + ", " + value;
  }
  return bytes;
}

int OnPrereq(void* clientp, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(clientp);
  if (t->on_send && *t->on_send) (*t->on_send)(t->request.id);
  return CURL_PREREQFUNC_OK;
}

}  // namespace

const char* FetchErrorName(FetchError e) {
  switch (e) {
    case FetchError::kNone:
      return "none";
    case FetchError::kDns:
      return "dns";
    case FetchError::kConnect:
      return "connect";
    case FetchError::kPrivateAddress:
      return "private_address";
    case FetchError::kTimeout:
      return "timeout";
    case FetchError::kTooLarge:
      return "too_large";
    case FetchError::kTls:
      return "tls";
    case FetchError::kTooManyRedirects:
      return "too_many_redirects";
    case FetchError::kNetwork:
      return "network";
  }
  return "network";
}

struct Fetcher::Impl {
  FetcherOptions options;
  MultiHandle multi;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers;
  std::vector<EasyHandle> idle;  // reused handles
  std::function<void(uint64_t)> on_send;
  std::vector<FetchResult> failed_starts;  // returned by the next Poll()

  void Finish(CURL* easy, CURLcode code, std::vector<FetchResult>* out) {
    auto it = transfers.find(easy);
    if (it == transfers.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    transfers.erase(it);
    curl_multi_remove_handle(multi.get(), easy);
    FetchResult& r = t->result;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    char* final_url = nullptr;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &final_url);
    if (final_url != nullptr) r.final_url = final_url;
    char* ip = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip);
    if (ip != nullptr) r.primary_ip = ip;
    curl_off_t wire = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    r.wire_bytes = wire;
    curl_off_t total_us = 0;
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
    r.elapsed_ms = total_us / 1000;
    r.http_status = static_cast<int>(status);
    const std::string what = "GET " + r.url + ": ";
    if (code != CURLE_OK) {
      std::string detail = t->error[0] ? t->error : curl_easy_strerror(code);
      if (t->too_large || code == CURLE_FILESIZE_EXCEEDED) {
        r.error = FetchError::kTooLarge;
        r.error_detail = what + "larger than " +
                         std::to_string(options.max_page_bytes) + " bytes";
      } else if (t->stalled) {
        r.error = FetchError::kTimeout;
        r.error_detail =
            what + "no data for " + std::to_string(t->stall_timeout_ms) + " ms";
      } else if (!t->guard.refused_address.empty()) {
        r.error = FetchError::kPrivateAddress;
        r.error_detail = what + "refused private address " +
                         t->guard.refused_address +
                         " (crawl.allow_private_addresses is false)";
      } else {
        switch (code) {
          case CURLE_COULDNT_RESOLVE_HOST:
            r.error = FetchError::kDns;
            break;
          case CURLE_COULDNT_CONNECT:
            r.error = FetchError::kConnect;
            break;
          case CURLE_OPERATION_TIMEDOUT:
            r.error = FetchError::kTimeout;
            break;
          case CURLE_TOO_MANY_REDIRECTS:
            r.error = FetchError::kTooManyRedirects;
            break;
          case CURLE_PEER_FAILED_VERIFICATION:
          case CURLE_SSL_CONNECT_ERROR:
          case CURLE_SSL_CERTPROBLEM:
          case CURLE_SSL_CACERT_BADFILE:
            r.error = FetchError::kTls;
            break;
          default:
            r.error = FetchError::kNetwork;
        }
        r.error_detail = what + detail;
      }
      r.body.clear();
    }
    // Keep the handle for the next transfer (its settings are reset then).
    EasyHandle easy_handle = std::move(t->easy);
    curl_easy_reset(easy_handle.get());
    if (idle.size() < static_cast<size_t>(options.max_connections)) {
      idle.push_back(std::move(easy_handle));
    }
    out->push_back(std::move(r));
  }

  void Drain(std::vector<FetchResult>* out) {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
      if (msg->msg == CURLMSG_DONE) {
        Finish(msg->easy_handle, msg->data.result, out);
      }
    }
  }
};

Fetcher::Fetcher(Token, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Fetcher::~Fetcher() {
  for (auto& [easy, t] : impl_->transfers) {
    curl_multi_remove_handle(impl_->multi.get(), easy);
  }
  impl_->transfers.clear();
}

StatusOr<std::unique_ptr<Fetcher>> Fetcher::Create(
    const FetcherOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->multi.reset(curl_multi_init());
  if (!impl->multi) return Internal("curl_multi_init failed");
  CURLM* m = impl->multi.get();
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                    static_cast<long>(options.max_connections));
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(options.per_host_connections));
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(options.max_connections));
  curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  return std::make_unique<Fetcher>(Token(), std::move(impl));
}

void Fetcher::set_on_send(std::function<void(uint64_t)> on_send) {
  impl_->on_send = std::move(on_send);
}

void Fetcher::Start(FetchRequest request) {
  auto t = std::make_unique<Transfer>();
  if (!impl_->idle.empty()) {
    t->easy = std::move(impl_->idle.back());
    impl_->idle.pop_back();
  } else {
    t->easy.reset(curl_easy_init());
  }
  const FetcherOptions& o = impl_->options;
  t->request = std::move(request);
  t->result.id = t->request.id;
  t->result.url = t->request.url;
  t->max_bytes = o.max_page_bytes;
  t->guard.allow_private = o.allow_private_addresses;
  t->guard.allowed_endpoints = &o.allowed_private_endpoints;
  t->on_send = &impl_->on_send;
  CURL* e = t->easy.get();
  if (e == nullptr) {
    FetchResult r;
    r.id = t->request.id;
    r.url = t->request.url;
    r.error = FetchError::kNetwork;
    r.error_detail = "GET " + r.url + ": curl_easy_init failed";
    impl_->failed_starts.push_back(std::move(r));
    return;
  }
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // all that curl decodes
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(o.connect_timeout_ms));
  t->stall_timeout_ms = std::max<int64_t>(1, o.stall_timeout_ms);
  t->last_activity_ms = SteadyMs();
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, t.get());
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(o.max_page_bytes));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &OnPrereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  if (!o.ca_file.empty())
    curl_easy_setopt(e, CURLOPT_CAINFO, o.ca_file.c_str());
  if (t->request.follow_redirects > 0) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS,
                     static_cast<long>(t->request.follow_redirects));
  }
  if (!o.doh_url.empty() &&
      curl_easy_setopt(e, CURLOPT_DOH_URL, o.doh_url.c_str()) != CURLE_OK) {
    // Never fall back to the system resolver: whoever set a resolver may
    // rely on names not leaving the machine.
    curl_easy_reset(e);
    impl_->idle.push_back(std::move(t->easy));
    FetchResult r;
    r.id = t->request.id;
    r.url = t->request.url;
    r.error = FetchError::kDns;
    r.error_detail = "GET " + r.url + ": libcurl cannot resolve with " +
                     o.doh_url + " (no DNS-over-HTTPS support)";
    impl_->failed_starts.push_back(std::move(r));
    return;
  }
  InstallNetGuard(e, &t->guard);
  curl_slist* headers = nullptr;
  if (!t->request.if_none_match.empty()) {
    headers = curl_slist_append(
        headers, ("If-None-Match: " + t->request.if_none_match).c_str());
  }
  if (!t->request.if_modified_since.empty()) {
    headers = curl_slist_append(
        headers,
        ("If-Modified-Since: " + t->request.if_modified_since).c_str());
  }
  t->headers.reset(headers);
  if (headers != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_multi_add_handle(impl_->multi.get(), e);
  impl_->transfers[e] = std::move(t);
}

std::vector<FetchResult> Fetcher::Poll(std::chrono::milliseconds max_wait) {
  std::vector<FetchResult> out = std::move(impl_->failed_starts);
  impl_->failed_starts.clear();
  int running = 0;
  curl_multi_perform(impl_->multi.get(), &running);
  impl_->Drain(&out);
  if (!out.empty()) return out;
  int numfds = 0;
  curl_multi_poll(impl_->multi.get(), nullptr, 0,
                  static_cast<int>(std::max<int64_t>(0, max_wait.count())),
                  &numfds);
  curl_multi_perform(impl_->multi.get(), &running);
  impl_->Drain(&out);
  return out;
}

size_t Fetcher::in_flight() const { return impl_->transfers.size(); }

void Fetcher::Wakeup() { curl_multi_wakeup(impl_->multi.get()); }

int64_t ParseRetryAfterSeconds(const std::string& value, int64_t now_s) {
  std::string v = TrimCopy(value);
  if (v.empty()) return -1;
  if (std::all_of(v.begin(), v.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return 7 * 86400;  // absurdly large: cap later
    return std::strtoll(v.c_str(), nullptr, 10);
  }
  time_t t = curl_getdate(v.c_str(), nullptr);
  if (t < 0) return -1;
  return std::max<int64_t>(0, static_cast<int64_t>(t) - now_s);
}

}  // namespace shagym::crawler
