// Command rawruntime speaks the Runtime API by hand, trying what a runtime may
// not do, and answers each invocation with the status codes it got back.
// What it tries after answering is printed, to be read from the console.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

func main() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API")
	api := base + "/2018-06-01/runtime"
	for {
		resp, err := http.Get(api + "/invocation/next")
		if err != nil {
			os.Exit(2)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		statuses := map[string]int{
			"wrongId":   call(http.MethodPost, api+"/invocation/not-"+id+"/response", "{}"),
			"nextEarly": call(http.MethodGet, api+"/invocation/next", ""),
			"initError": call(http.MethodPost, api+"/init/error", `{"errorMessage":"late","errorType":"Late"}`),
			"extension": call(http.MethodPost, base+"/2020-01-01/extension/register", "{}"),
			"unknown":   call(http.MethodGet, base+"/nope", ""),
		}
		body, _ := json.Marshal(statuses)
		statuses["response"] = call(http.MethodPost, api+"/invocation/"+id+"/response", string(body))
		fmt.Printf("first response status=%d\n", statuses["response"])
		fmt.Printf("second response status=%d\n", call(http.MethodPost, api+"/invocation/"+id+"/response", "{}"))
		fmt.Printf("late error status=%d\n", call(http.MethodPost, api+"/invocation/"+id+"/error", "{}"))
	}
}

func call(method, url, body string) int {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return -1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}
