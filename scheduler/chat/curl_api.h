// libcurl for the chat client (and the check of a Jupyter server's URL),
// loaded on first use instead of linked.
//
// Linked, libcurl and the 29 libraries it needs (TLS, Kerberos, LDAP, SSH,
// IDN …) are mapped and relocated by every process that loads
// libstreamexec — the CLI, a Python or Node program that imports the
// package — about 14 ms at each start on the reference machine (a program
// that only links -lcurl: 16.3 ms against 2.6 ms; `perf stat -r 20`), for a
// client most sessions never use. The chat client (openai.cpp) asks for
// the API when it makes its first request: dlopen("libcurl.so.4"), the
// functions it calls resolved by name, curl_global_init once.
#pragma once

#include <string>

#include <curl/curl.h>

#include "backends/jupyter/gateway_url.h"

namespace sx::chat {

struct CurlApi {
  CURL *(*easy_init)();
  CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
  void (*easy_cleanup)(CURL *);
  const char *(*easy_strerror)(CURLcode);
  CURLM *(*multi_init)();
  CURLMcode (*multi_add_handle)(CURLM *, CURL *);
  CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
  CURLMcode (*multi_perform)(CURLM *, int *);
  CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
  CURLMcode (*multi_wakeup)(CURLM *);
  CURLMsg *(*multi_info_read)(CURLM *, int *);
  CURLMcode (*multi_cleanup)(CURLM *);
  curl_slist *(*slist_append)(curl_slist *, const char *);
  void (*slist_free_all)(curl_slist *);
  // The URL API (the Jupyter executor's URL is checked with it: scheduler/capi.cpp).
  jupyter::CurlUrlApi url;
};

// The API, loaded and initialised on the first call (thread-safe); nullptr
// if libcurl could not be loaded, with *error saying why (the file, dlerror).
const CurlApi *curl_api(std::string *error);

}  // namespace sx::chat
