// See curl_api.h.
#include "scheduler/chat/curl_api.h"

#include <dlfcn.h>
#include <mutex>

#include <fmt/format.h>

namespace sx::chat {

namespace {

// The SONAME of libcurl 7.x/8.x (ABI 4): what linking -lcurl would record.
constexpr const char *kLibcurl = "libcurl.so.4";

template <typename F>
bool resolve(void *lib, const char *name, F *out, std::string *error) {
  void *sym = dlsym(lib, name);
  if (!sym) {
    *error = fmt::format("{} has no {}: {}", kLibcurl, name, dlerror());
    return false;
  }
  *out = reinterpret_cast<F>(sym);
  return true;
}

}  // namespace

const CurlApi *curl_api(std::string *error) {
  static std::once_flag once;
  static CurlApi api;
  static const CurlApi *loaded = nullptr;
  static std::string why;
  std::call_once(once, [] {
    void *lib = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char *e = dlerror();
      why = fmt::format("libcurl ({}) could not be loaded: {} (Debian: apt-get install libcurl4)", kLibcurl,
                        e ? e : "unknown error");
      return;
    }
    CURLcode (*global_init)(long) = nullptr;
    bool ok =
        resolve(lib, "curl_global_init", &global_init, &why) && resolve(lib, "curl_easy_init", &api.easy_init, &why) &&
        resolve(lib, "curl_easy_setopt", &api.easy_setopt, &why) &&
        resolve(lib, "curl_easy_getinfo", &api.easy_getinfo, &why) &&
        resolve(lib, "curl_easy_cleanup", &api.easy_cleanup, &why) &&
        resolve(lib, "curl_easy_strerror", &api.easy_strerror, &why) &&
        resolve(lib, "curl_multi_init", &api.multi_init, &why) &&
        resolve(lib, "curl_multi_add_handle", &api.multi_add_handle, &why) &&
        resolve(lib, "curl_multi_remove_handle", &api.multi_remove_handle, &why) &&
        resolve(lib, "curl_multi_perform", &api.multi_perform, &why) &&
        resolve(lib, "curl_multi_poll", &api.multi_poll, &why) &&
        resolve(lib, "curl_multi_wakeup", &api.multi_wakeup, &why) &&
        resolve(lib, "curl_multi_info_read", &api.multi_info_read, &why) &&
        resolve(lib, "curl_multi_cleanup", &api.multi_cleanup, &why) &&
        resolve(lib, "curl_slist_append", &api.slist_append, &why) &&
        resolve(lib, "curl_slist_free_all", &api.slist_free_all, &why) &&
        resolve(lib, "curl_url", &api.url.url, &why) && resolve(lib, "curl_url_set", &api.url.url_set, &why) &&
        resolve(lib, "curl_url_get", &api.url.url_get, &why) &&
        resolve(lib, "curl_url_cleanup", &api.url.url_cleanup, &why) && resolve(lib, "curl_free", &api.url.free, &why);
    if (!ok) return;  // the library stays loaded: unloading libcurl is not safe once initialised
    CURLcode rc = global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
      why = fmt::format("curl_global_init failed: {}", api.easy_strerror(rc));
      return;
    }
    loaded = &api;
  });
  if (!loaded && error) *error = why;
  return loaded;
}

}  // namespace sx::chat
