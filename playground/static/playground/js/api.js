// The REST client: JWT tokens in memory (never localStorage), one refresh on an expired token,
// and the error envelope turned into an ApiError.
//
// Bodies: /api/... answers bare JSON; /api/v1/... wraps it as {success, data, message, timestamp},
// and request() returns `data` for those. Every error, on both surfaces, is
// {success: false, error: {code, message, details}, timestamp}.

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export class ApiClient {
  #access = null;
  #refresh = null;
  #refreshing = null;

  constructor({ onSanctioned = () => {} } = {}) {
    this.onSanctioned = onSanctioned;
  }

  get signedIn() {
    return this.#access !== null;
  }

  // Sockets authenticate with ?token=<access>.
  get accessToken() {
    return this.#access;
  }

  async login(username, password) {
    const tokens = await this.request("POST", "/api/auth/login/", { json: { username, password }, auth: false });
    this.#access = tokens.access;
    this.#refresh = tokens.refresh;
  }

  // formData: username, password, age, gender, profile_image (multipart, as the API requires).
  async signup(formData) {
    return this.request("POST", "/api/auth/signup/", { form: formData, auth: false });
  }

  async logout() {
    const refresh = this.#refresh;
    try {
      if (refresh) await this.request("POST", "/api/auth/logout/", { json: { refresh } });
    } finally {
      this.#forget();
    }
  }

  // Refresh tokens rotate: the old one is blacklisted, so concurrent callers share one refresh.
  async refresh() {
    if (!this.#refresh) throw new ApiError(401, "UNAUTHORIZED", "Not signed in");
    if (!this.#refreshing) {
      this.#refreshing = this.request("POST", "/api/auth/refresh/", { json: { refresh: this.#refresh }, auth: false })
        .then((tokens) => {
          this.#access = tokens.access;
          this.#refresh = tokens.refresh;
        })
        .catch((error) => {
          this.#forget();
          throw error;
        })
        .finally(() => {
          this.#refreshing = null;
        });
    }
    return this.#refreshing;
  }

  get(path, query) {
    return this.request("GET", path, { query });
  }

  post(path, json) {
    return this.request("POST", path, { json: json ?? {} });
  }

  // Low level: method, path, and one of json / form; query as an object. `raw` returns the Response.
  async request(method, path, { json, form, query, auth = true, raw = false, retried = false } = {}) {
    const headers = { Accept: "application/json" };
    let body;
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = form; // the browser sets the multipart boundary
    }
    if (auth && this.#access) headers.Authorization = `Bearer ${this.#access}`;

    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
    }
    const response = await fetch(url, { method, headers, body });

    // An expired access token: refresh once and replay the request.
    if (response.status === 401 && auth && !retried && this.#refresh) {
      const error = await this.#errorOf(response);
      if (error.code === "TOKEN_INVALID") {
        await this.refresh();
        return this.request(method, path, { json, form, query, auth, raw, retried: true });
      }
      throw error;
    }
    if (!response.ok) throw await this.#errorOf(response);
    if (raw) return response;
    const payload = await response.json();
    return path.startsWith("/api/v1/") ? payload.data : payload;
  }

  async #errorOf(response) {
    let envelope = null;
    try {
      envelope = await response.json();
    } catch {
      // not JSON (a proxy error page): fall through
    }
    const error = envelope?.error ?? {};
    const apiError = new ApiError(response.status, error.code ?? `HTTP_${response.status}`, error.message, error.details);
    if (apiError.code === "ACCOUNT_SUSPENDED" || apiError.code === "ACCOUNT_BANNED") this.onSanctioned(apiError);
    return apiError;
  }

  #forget() {
    this.#access = null;
    this.#refresh = null;
  }
}
