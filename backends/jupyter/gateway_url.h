// The URL form of the Jupyter executor, `jupyter:http[s]://HOST[:PORT][/BASE][#kernel=NAME]`:
// a Jupyter Server, Kernel Gateway or Enterprise Gateway, whose REST API
// ({BASE}/api/kernels) starts the kernel. Checked by the host (scheduler/capi.cpp)
// and parsed by streamexec-worker-jupyter (gateway_transport.cpp), with libcurl's URL API
// (linked in the worker; loaded on use in the library: scheduler/chat/curl_api.h).
//
// The token is never part of the URL (it would show in command lines, logs
// and error messages): a URL with a query or user credentials is refused,
// and the token comes from the environment (SX_JUPYTER_TOKEN).
#ifndef STREAMEXEC_BACKENDS_JUPYTER_GATEWAY_URL_H
#define STREAMEXEC_BACKENDS_JUPYTER_GATEWAY_URL_H

#include <string>
#include <string_view>

#include <curl/curl.h>

namespace sx::jupyter {

inline bool is_gateway_url(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

struct GatewayUrl {
  std::string scheme, host;  // host as in the URL (an IPv6 address in brackets)
  std::string port;          // as given; "" = the scheme's
  std::string path;          // the base path, without a trailing '/' ("" for none)
  std::string kernel_name = "python3";

  // scheme://host[:port][/base]: the prefix of the REST calls, and what
  // messages name (it has no secret in it).
  std::string base() const { return scheme + "://" + host + (port.empty() ? "" : ":" + port) + path; }
  std::string port_or_default() const { return port.empty() ? (scheme == "https" ? "443" : "80") : port; }
};

// libcurl's URL API, as the caller has it.
struct CurlUrlApi {
  CURLU *(*url)();
  CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
  CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
  void (*url_cleanup)(CURLU *);
  void (*free)(void *);
};

// false and *err (which never repeats the URL's query or credentials) if
// `url` is not a usable gateway URL.
inline bool parse_gateway_url(const std::string &url, const CurlUrlApi &curl, GatewayUrl *g, std::string *err) {
  CURLU *u = curl.url();
  if (!u) {
    *err = "out of memory";
    return false;
  }
  auto part = [u, &curl](CURLUPart which, std::string *out) {
    char *v = nullptr;
    if (curl.url_get(u, which, &v, 0) != CURLUE_OK || !v) return false;
    *out = v;
    curl.free(v);
    return true;
  };
  std::string scheme, query, user, password, fragment;
  bool ok = curl.url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK && part(CURLUPART_SCHEME, &scheme) &&
            (scheme == "http" || scheme == "https") && part(CURLUPART_HOST, &g->host);
  if (!ok) {
    curl.url_cleanup(u);
    *err = "the executor's URL is not an http:// or https:// URL with a host";
    return false;
  }
  g->scheme = scheme;
  part(CURLUPART_PORT, &g->port);
  part(CURLUPART_PATH, &g->path);
  bool has_query = part(CURLUPART_QUERY, &query), has_user = part(CURLUPART_USER, &user);
  bool has_password = part(CURLUPART_PASSWORD, &password), has_fragment = part(CURLUPART_FRAGMENT, &fragment);
  curl.url_cleanup(u);
  while (!g->path.empty() && g->path.back() == '/') g->path.pop_back();
  if (has_query || has_user || has_password) {
    *err = "the URL " + g->base() + " has " + (has_query ? "a query" : "credentials") +
           ": a token goes in the environment variable SX_JUPYTER_TOKEN, never in the URL";
    return false;
  }
  if (has_fragment) {
    if (!fragment.starts_with("kernel=") || fragment.size() == 7) {
      *err = "the URL " + g->base() + " has the fragment '#" + fragment + "' (only #kernel=NAME is known)";
      return false;
    }
    g->kernel_name = fragment.substr(7);
  }
  return true;
}

}  // namespace sx::jupyter

#endif
