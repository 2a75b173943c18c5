package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	webhook  *prometheus.CounterVec
}

func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ansinh_http_requests_total",
			Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ansinh_http_request_duration_seconds",
			Help:    "HTTP request latency by method and route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
	}
	m.webhook = newWebhookMetric(reg)
	for _, c := range []prometheus.Collector{m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
		}
	}
	return m, nil
}

// observe counts and times every request by its route pattern (never the raw path,
// which may hold a token or a receipt).
func (h *Handler) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		status, _ = classify(err)
	}
	route := routeLabel(c, status)
	method := methodLabel(c)
	h.metrics.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	h.metrics.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
	return err
}

// Label values outlive the request, and Fiber's strings (c.Method(), c.Path(), the
// fallback route of an unrouted request) point into buffers that the next request
// overwrites: a label kept from one would change under the registry's feet, and the
// next scrape fail with a duplicate. So every label is one of a fixed set of strings
// of our own: the methods below, route patterns copied at start-up, "unmatched".
var methodLabels = map[string]string{}

func init() {
	for _, m := range []string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
		fiber.MethodDelete, fiber.MethodConnect, fiber.MethodOptions, fiber.MethodTrace} {
		methodLabels[m] = m
	}
}

// methodLabel is the request's method as a label: a standard method, or "other".
func methodLabel(c *fiber.Ctx) string {
	if m, ok := methodLabels[c.Method()]; ok {
		return m
	}
	return "other"
}

// routeLabel is the matched route pattern, or "unmatched" for a 404 no route took and
// for a request that never reached the router.
func routeLabel(c *fiber.Ctx, status int) string {
	r := c.Route()
	if len(r.Handlers) == 0 { // Fiber's stand-in route: its Path is the raw request path
		return "unmatched"
	}
	if status == fiber.StatusNotFound && (r.Path == "/" || r.Path == "/api/*") && c.Path() != "/" {
		return "unmatched"
	}
	return routeNames.of(r.Path)
}

// routeNames holds a copy of every route pattern, made once each.
var routeNames = &internedRoutes{m: map[string]string{}}

type internedRoutes struct {
	mu sync.Mutex
	m  map[string]string
}

func (r *internedRoutes) of(path string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.m[path]; ok {
		return s
	}
	s := strings.Clone(path)
	r.m[s] = s
	return s
}

// Metrics serves the registry in Prometheus text format. A collector that fails does
// not turn the page into a 500 with the error in the body: the rest is served, and
// the error goes to the log.
func (h *Handler) Metrics() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(h.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      promLog{h.log},
	}))
}

// promLog passes the metrics handler's errors to the service's log.
type promLog struct{ log *slog.Logger }

func (l promLog) Println(v ...any) { l.log.Error("metrics", "err", fmt.Sprint(v...)) }

// Healthz answers while the process runs.
func (h *Handler) Healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// Readyz answers 200 only when the store does.
func (h *Handler) Readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := h.store.Ping(ctx); err != nil {
		h.log.Warn("not ready: store does not answer", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}
