package localcloud

import (
	"encoding/json"
	"errors"
	"net/http"
)

// controlHandler serves the local cloud's own endpoints under /_localcloud/ on the AWS port:
//
//	GET  /_localcloud/health                  200 once everything is up
//	GET  /_localcloud/resources               the template's resources: logical id -> Ref and attributes
//	POST /_localcloud/schedules/{name}/fire   run a scheduled function now (rule, Function.Event, or function)
//	GET  /_localcloud/requests[?reset=true]   AWS requests served, by operation
func (c *Cloud) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_localcloud/health", func(w http.ResponseWriter, r *http.Request) {
		writeControlJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /_localcloud/resources", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{}
		for id, ph := range c.created {
			out[id] = map[string]any{"ref": ph.ref, "attributes": ph.attrs}
		}
		writeControlJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("GET /_localcloud/requests", func(w http.ResponseWriter, r *http.Request) {
		writeControlJSON(w, http.StatusOK, c.Requests(r.URL.Query().Get("reset") == "true"))
	})
	mux.HandleFunc("POST /_localcloud/schedules/{name}/fire", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if err := c.FireSchedule(r.Context(), name); err != nil {
			status := http.StatusInternalServerError
			if errors.Is(err, ErrNoSchedule) {
				status = http.StatusNotFound
			}
			writeControlJSON(w, status, map[string]string{"error": err.Error()})
			return
		}
		writeControlJSON(w, http.StatusAccepted, map[string]string{"fired": name})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeControlJSON(w, http.StatusNotFound, map[string]string{"error": "unknown local cloud control path " + r.URL.Path})
	})
	return mux
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
