// @ts-check
/**
 * One Grafana dashboard per service (the monolith's dashboard stays as the overview across services):
 * its traffic, latency and errors, and its events — outbox lag and relay publishes/failures, and when
 * it keeps read models, events applied, redelivered and dead-lettered, and how stale each read model
 * is (p95 event age when applied). Every query selects the service
 * by the `service` label the Prometheus scrape config gives its targets.
 * @param {string} service
 * @param {boolean} consumes
 */
export function serviceDashboard(service, consumes) {
  const sel = `service="${service}"`;
  const panels = [
    { title: 'Requests per second by status', unit: 'reqps', targets: [{ expr: `sum by (status_code) (rate(http_requests_total{${sel}}[$__rate_interval]))`, legend: '{{status_code}}' }] },
    {
      title: 'Latency p95 (alert: > 200 ms for 10 min)',
      unit: 's',
      threshold: 0.2,
      targets: [{ expr: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`, legend: 'p95' }],
    },
    { title: 'Outbox lag (alert: > 60 s for 5 min)', unit: 's', threshold: 60, targets: [{ expr: `max(outbox_lag_seconds{${sel}})`, legend: 'oldest unsent event' }] },
    {
      title: 'Relay: published and failed batches',
      unit: 'ops',
      targets: [
        { expr: `sum(rate(relay_published_total{${sel}}[$__rate_interval]))`, legend: 'published' },
        { expr: `sum(rate(relay_publish_failures_total{${sel}}[$__rate_interval]))`, legend: 'failed batches' },
      ],
    },
    ...(consumes
      ? [
          {
            title: 'Consumer: applied, redelivered, dead-lettered',
            unit: 'ops',
            targets: [
              { expr: `sum by (consumer) (rate(events_applied_total{${sel}}[$__rate_interval]))`, legend: 'applied {{consumer}}' },
              { expr: `sum by (consumer) (rate(events_redelivered_total{${sel}}[$__rate_interval]))`, legend: 'redelivered {{consumer}}' },
              { expr: `sum by (consumer) (increase(events_dead_lettered_total{${sel}}[$__rate_interval]))`, legend: 'dead-lettered {{consumer}}' },
            ],
          },
          {
            title: 'Read-model staleness: event age when applied, p95 (alert: > 60 s for 10 min)',
            unit: 's',
            threshold: 60,
            targets: [
              {
                expr: `histogram_quantile(0.95, sum by (le, consumer) (rate(read_model_event_age_seconds_bucket{${sel}}[$__rate_interval])))`,
                legend: '{{consumer}}',
              },
            ],
          },
        ]
      : []),
  ];
  return panels.map((p, i) => ({ ...p, id: i + 1, gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 } }));
}
