/*
 * Logbook benchmark load generator (librdkafka). Compiled by bench/run.ts into a cache
 * directory; prints exactly one JSON line on stdout per run.
 *
 *   loadgen produce BOOTSTRAP TOPIC PARTITIONS SIZE ACKS SECONDS [prime]
 *       Produces SIZE-byte records as fast as the client allows for SECONDS, spread
 *       round-robin over PARTITIONS, then flushes. The rate counts acknowledged records
 *       over the time from the first send to the last acknowledgement. With "prime",
 *       markers (prime_send) go to every partition first, not timed and not counted
 *       (without it, the first writes to each partition are part of the timed run, as
 *       bench:growth's "first produce" wants).
 *   loadgen consume BOOTSTRAP TOPIC PARTITIONS COUNT TIMEOUT_SECONDS
 *       Reads COUNT records from offset 0 of every partition (assign, no group), timed
 *       from the assignment to the COUNT-th record.
 *   loadgen e2e BOOTSTRAP TOPIC SIZE RATE SECONDS [PARTITIONS]
 *       A consumer thread reads every partition (default 1) while the main thread
 *       produces SIZE-byte records at RATE per second (acks=1, linger.ms=0), round-robin
 *       over the partitions, each carrying its send time. Latency is receive time minus
 *       send time (same host, CLOCK_MONOTONIC). Markers go to every partition before
 *       the clock starts (prime_send); the first half second is warm-up and not counted.
 *   loadgen omb BOOTSTRAP TOPIC PARTITIONS SIZE RATE SECONDS PRODUCERS CONSUMERS
 *       An OpenMessaging-Benchmark-style workload: PRODUCERS threads, each with its own
 *       producer (acks=all, linger.ms=1, batch.size=128 KiB, no key, so librdkafka's
 *       sticky partitioner spreads the records), together sending RATE records per
 *       second for 1 + SECONDS; CONSUMERS threads, each with its own consumer assigned
 *       every CONSUMERS-th partition from offset 0. End-to-end latency as in e2e, over
 *       the records sent after the first second (a warm-up, beside the markers of
 *       prime_send).
 *       Reports whether the target rate was kept; the caller decides what "sustained"
 *       means.
 *   loadgen version
 *       The librdkafka version the binary runs with.
 */
#define _GNU_SOURCE
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "loadgen: %s: %s\n", what, detail);
  exit(2);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(key, err);
}

static rd_kafka_conf_t *base_conf(const char *bootstrap) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "client.id", "logbook-bench");
  /* Both servers speak the same versions; skip the probe-and-fallback dance. */
  set(conf, "api.version.request", "true");
  set(conf, "log_level", "3");
  return conf;
}

static rd_kafka_t *make(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
  char err[512];
  rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == NULL) die("rd_kafka_new", err);
  return rk;
}

/* Waits until the topic's metadata is known, so that connection set-up is not timed. */
static void await_metadata(rd_kafka_t *rk, rd_kafka_topic_t *rkt) {
  const struct rd_kafka_metadata *md = NULL;
  for (int i = 0; i < 100; i++) {
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      int ok = md->topic_cnt == 1 && md->topics[0].err == 0 && md->topics[0].partition_cnt > 0;
      rd_kafka_metadata_destroy(md);
      if (ok) return;
    }
    struct timespec d = {0, 50 * 1000000L};
    nanosleep(&d, NULL);
  }
  die("metadata", "topic not available");
}

/* ---------------------------------------------------------------- produce */

static atomic_llong delivered, failed;
static _Atomic int64_t last_ack_ns;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (atomic_fetch_add(&failed, 1) == 0)
      fprintf(stderr, "loadgen: delivery failed: %s\n", rd_kafka_err2str(m->err));
  } else {
    atomic_fetch_add(&delivered, 1);
  }
  atomic_store(&last_ack_ns, now_ns());
}

/*
 * Before the clock starts, each producer sends a little over 8 KiB of marker records
 * (sequence number -1) to every partition, and the consumers must have read them all.
 * Measured here: over 100 new partitions Kafka held the first acknowledgements of each
 * producer for up to a second (p99 up to 1 s in a 3 s step); one marker per partition
 * from one producer was not enough, 8 KiB per partition from every producer was. And
 * every partition's fetch should be running before latency is measured. OpenMessaging
 * Benchmark's warm-up serves the same end.
 *
 * prime_send sends the markers and waits for their acknowledgements.
 */
static long long prime_send(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int partitions, int size) {
  char *payload = calloc(1, size);
  int64_t marker = -1;
  memcpy(payload + 8, &marker, 8);
  long long per = 8192 / size + 1;
  for (long long i = 0; i < per; i++)
    for (int p = 0; p < partitions; p++) {
      int64_t t = now_ns();
      memcpy(payload, &t, 8);
      while (rd_kafka_produce(rkt, p, RD_KAFKA_MSG_F_COPY, payload, size, NULL, 0, NULL) ==
             -1) {
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
          die("prime", rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_poll(rk, 1);
      }
    }
  rd_kafka_flush(rk, 30000);
  free(payload);
  return per * partitions;
}

/* Waits until the consumers have read every marker; the markers leave the counts. */
static void prime_wait(atomic_llong *seen, long long expected) {
  int64_t deadline = now_ns() + 30 * 1000000000LL;
  while (atomic_load(seen) < expected) {
    if (now_ns() > deadline) die("prime", "the consumers did not read every marker");
    struct timespec d = {0, 5 * 1000000L};
    nanosleep(&d, NULL);
  }
  atomic_store(&delivered, 0);
}

static int produce(const char *bootstrap, const char *topic, int partitions, int size,
                   const char *acks, double seconds, int primed) {
  rd_kafka_conf_t *conf = base_conf(bootstrap);
  set(conf, "acks", acks);
  set(conf, "linger.ms", "5");
  set(conf, "compression.codec", "none");
  /* Enough queued to keep the server busy, little enough that the final flush is short. */
  set(conf, "queue.buffering.max.kbytes", "65536");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = make(RD_KAFKA_PRODUCER, conf);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  await_metadata(rk, rkt);
  if (primed) {
    prime_send(rk, rkt, partitions, size);
    atomic_store(&delivered, 0);
  }

  char *payload = malloc(size);
  for (int i = 0; i < size; i++) payload[i] = (char)('a' + i % 26);
  long long sent = 0;
  int64_t start = now_ns();
  int64_t end = start + (int64_t)(seconds * 1e9);
  for (;;) {
    if ((sent & 255) == 0) {
      rd_kafka_poll(rk, 0);
      if (now_ns() >= end) break;
    }
    /* No copy flag: the payload is static and librdkafka only reads it. */
    if (rd_kafka_produce(rkt, (int32_t)(sent % partitions), 0, payload, size, NULL, 0, NULL) ==
        -1) {
      rd_kafka_resp_err_t e = rd_kafka_last_error();
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 1);
        continue;
      }
      die("produce", rd_kafka_err2str(e));
    }
    sent++;
  }
  rd_kafka_flush(rk, 60000);
  int64_t last = atomic_load(&last_ack_ns);
  int64_t stop = last > 0 ? last : now_ns();
  double elapsed = (double)(stop - start) / 1e9;
  long long ok = atomic_load(&delivered);
  printf("{\"mode\":\"produce\",\"records\":%lld,\"failed\":%lld,\"bytes\":%lld,\"seconds\":%.6f,"
         "\"recordsPerSec\":%.1f,\"mbPerSec\":%.3f}\n",
         ok, (long long)atomic_load(&failed), ok * size, elapsed, ok / elapsed,
         ok * (double)size / elapsed / 1e6);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  free(payload);
  return atomic_load(&failed) > 0 ? 1 : 0;
}

/* ---------------------------------------------------------------- consume */

/* Assigns partitions first, first + step, ... below partitions, each from offset 0. */
static rd_kafka_t *assigned_consumer(const char *bootstrap, const char *topic, int partitions,
                                     int first, int step, const char *fetch_wait_ms,
                                     const char *max_partition_bytes, int unthrottled) {
  rd_kafka_conf_t *conf = base_conf(bootstrap);
  /* A consume from earliest measures the server, not the client's prefetch limit: a
   * 50 MiB response of small records holds more than queued.min.messages (100,000), and
   * librdkafka 2.0 then sends no fetch for about a second, whatever the server. */
  if (unthrottled) {
    set(conf, "queued.min.messages", "10000000");
    set(conf, "queued.max.messages.kbytes", "2097151");
  }
  /* librdkafka 2.0 refuses assign() without a group; nothing is committed to it. */
  set(conf, "group.id", "logbook-bench");
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.auto.offset.store", "false");
  set(conf, "fetch.wait.max.ms", fetch_wait_ms);
  if (max_partition_bytes != NULL) set(conf, "fetch.message.max.bytes", max_partition_bytes);
  rd_kafka_t *rk = make(RD_KAFKA_CONSUMER, conf);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = first; p < partitions; p += step)
    rd_kafka_topic_partition_list_add(list, topic, p)->offset = 0;
  rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
  if (e) die("assign", rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(list);
  return rk;
}

static int consume(const char *bootstrap, const char *topic, int partitions, long long count,
                   double timeout_s) {
  int64_t start = now_ns();
  rd_kafka_t *rk = assigned_consumer(bootstrap, topic, partitions, 0, 1, "500", NULL, 1);
  int64_t deadline = start + (int64_t)(timeout_s * 1e9);
  long long got = 0, bytes = 0;
  int64_t last = start;
  while (got < count && now_ns() < deadline) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    if (m == NULL) continue;
    if (m->err == 0) {
      got++;
      bytes += (long long)m->len;
      last = now_ns();
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      fprintf(stderr, "loadgen: consume error: %s\n", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
  double elapsed = (double)(last - start) / 1e9;
  printf("{\"mode\":\"consume\",\"records\":%lld,\"bytes\":%lld,\"seconds\":%.6f,"
         "\"recordsPerSec\":%.1f,\"mbPerSec\":%.3f}\n",
         got, bytes, elapsed, got / elapsed, bytes / elapsed / 1e6);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got < count ? 1 : 0;
}

/* A stamped record (send time, sequence) as the consumers see it: STAMP_NONE for a record
 * without a stamp or an error, STAMP_PRIME for a warm-up marker, else STAMP_TIMED with the
 * latency and sequence filled in. */
enum stamp { STAMP_NONE, STAMP_PRIME, STAMP_TIMED };
static enum stamp read_stamp(const rd_kafka_message_t *m, int64_t *latency_ns, int64_t *sent_at,
                             int64_t *seq) {
  if (m->err != 0 || m->len < 16) return STAMP_NONE;
  int64_t t = now_ns();
  memcpy(sent_at, m->payload, 8);
  memcpy(seq, (const char *)m->payload + 8, 8);
  if (*seq < 0) return STAMP_PRIME;
  *latency_ns = t - *sent_at;
  return STAMP_TIMED;
}

/* ---------------------------------------------------------------- e2e */


struct e2e_state {
  rd_kafka_t *consumer;
  long long warmup;       /* records with a smaller sequence number are not counted */
  atomic_llong produced;  /* set when the producer is done; -1 while running */
  atomic_int stop;
  atomic_llong primed;
  long long received;
  int64_t *lat;
  long long lat_n, lat_cap;
};

static void *e2e_consumer(void *arg) {
  struct e2e_state *s = arg;
  while (!atomic_load(&s->stop)) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, 50);
    if (m == NULL) continue;
    int64_t latency, sent_at, seq;
    enum stamp k = read_stamp(m, &latency, &sent_at, &seq);
    if (k == STAMP_PRIME) atomic_fetch_add(&s->primed, 1);
    if (k == STAMP_TIMED) {
      s->received++;
      if (seq >= s->warmup && s->lat_n < s->lat_cap) s->lat[s->lat_n++] = latency;
    }
    rd_kafka_message_destroy(m);
    long long produced = atomic_load(&s->produced);
    if (produced >= 0 && s->received >= produced) break;
  }
  return NULL;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static double pct(const int64_t *sorted, long long n, double p) {
  if (n == 0) return -1;
  long long i = (long long)(p * (double)(n - 1) + 0.5);
  return (double)sorted[i] / 1e6;
}

static int e2e(const char *bootstrap, const char *topic, int size, double rate, double seconds,
               int partitions) {
  if (partitions < 1) partitions = 1;
  if (size < 16) size = 16;
  struct e2e_state s = {0};
  s.warmup = (long long)(rate * 0.5);
  atomic_store(&s.produced, -1);
  s.lat_cap = (long long)(rate * seconds) + 16;
  s.lat = malloc(sizeof(int64_t) * s.lat_cap);
  s.consumer = assigned_consumer(bootstrap, topic, partitions, 0, 1, "500", NULL, 0);

  rd_kafka_conf_t *conf = base_conf(bootstrap);
  set(conf, "acks", "1");
  set(conf, "linger.ms", "0");
  set(conf, "compression.codec", "none");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = make(RD_KAFKA_PRODUCER, conf);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  await_metadata(rk, rkt);

  pthread_t th;
  pthread_create(&th, NULL, e2e_consumer, &s);
  prime_wait(&s.primed, prime_send(rk, rkt, partitions, size));

  char *payload = calloc(1, size);
  long long total = (long long)(rate * seconds);
  double interval = 1e9 / rate;
  int64_t start = now_ns();
  for (long long k = 0; k < total; k++) {
    int64_t due = start + (int64_t)(k * interval);
    int64_t t = now_ns();
    if (due > t) {
      /* Sleep, not spin: the machine has two cores and the server needs them. */
      struct timespec d = {0, due - t};
      nanosleep(&d, NULL);
    }
    t = now_ns();
    memcpy(payload, &t, 8);
    memcpy(payload + 8, &k, 8);
    while (rd_kafka_produce(rkt, (int32_t)(k % partitions), RD_KAFKA_MSG_F_COPY, payload, size,
                            NULL, 0, NULL) == -1) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        die("produce", rd_kafka_err2str(rd_kafka_last_error()));
      rd_kafka_poll(rk, 1);
    }
    rd_kafka_poll(rk, 0);
  }
  double achieved = (double)total / ((double)(now_ns() - start) / 1e9);
  rd_kafka_flush(rk, 30000);
  atomic_store(&s.produced, atomic_load(&delivered));
  /* The consumer stops once it has everything; give it a bounded time to get there. */
  int64_t deadline = now_ns() + 10 * 1000000000LL;
  while (s.received < atomic_load(&s.produced) && now_ns() < deadline) {
    struct timespec d = {0, 10 * 1000000L};
    nanosleep(&d, NULL);
  }
  atomic_store(&s.stop, 1);
  pthread_join(th, NULL);

  qsort(s.lat, s.lat_n, sizeof(int64_t), cmp_i64);
  printf("{\"mode\":\"e2e\",\"partitions\":%d,\"targetRate\":%.0f,\"achievedRate\":%.1f,\"produced\":%lld,"
         "\"received\":%lld,\"samples\":%lld,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,"
         "\"maxMs\":%.3f}\n",
         partitions, rate, achieved, (long long)atomic_load(&s.produced), s.received, s.lat_n,
         pct(s.lat, s.lat_n, 0.5), pct(s.lat, s.lat_n, 0.99), pct(s.lat, s.lat_n, 0.999),
         s.lat_n ? (double)s.lat[s.lat_n - 1] / 1e6 : -1.0);
  int incomplete = s.received < atomic_load(&s.produced);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  rd_kafka_consumer_close(s.consumer);
  rd_kafka_destroy(s.consumer);
  free(s.lat);
  free(payload);
  return incomplete || atomic_load(&failed) > 0;
}

/* ---------------------------------------------------------------- omb */

#define OMB_WARMUP_S 1.0

struct omb_run {
  const char *bootstrap, *topic;
  int partitions, size, consumers;
  double rate_per_producer;
  long long per_producer; /* records each producer sends */
  int64_t start_ns;
  _Atomic int64_t warmup_end_ns;
  atomic_int go, stop;
  atomic_llong sent, received, primed;
  atomic_llong lat_n;
  int64_t *lat;
  long long lat_cap;
  _Atomic int64_t last_send_ns;
};

struct omb_consumer {
  struct omb_run *run;
  rd_kafka_t *rk;
  pthread_t th;
};

static void *omb_consume(void *arg) {
  struct omb_consumer *c = arg;
  struct omb_run *r = c->run;
  while (!atomic_load(&r->stop)) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 50);
    if (m == NULL) continue;
    int64_t latency, sent_at, seq;
    enum stamp k = read_stamp(m, &latency, &sent_at, &seq);
    if (k == STAMP_PRIME) atomic_fetch_add(&r->primed, 1);
    if (k == STAMP_TIMED) {
      atomic_fetch_add(&r->received, 1);
      if (sent_at >= atomic_load(&r->warmup_end_ns)) {
        long long i = atomic_fetch_add(&r->lat_n, 1);
        if (i < r->lat_cap) r->lat[i] = latency;
      }
    }
    rd_kafka_message_destroy(m);
  }
  return NULL;
}

struct omb_producer {
  struct omb_run *run;
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  pthread_t th;
};

static void *omb_produce(void *arg) {
  struct omb_producer *p = arg;
  struct omb_run *r = p->run;
  char *payload = calloc(1, r->size);
  while (!atomic_load(&r->go)) {
    struct timespec d = {0, 1000000L};
    nanosleep(&d, NULL);
  }
  double interval = 1e9 / r->rate_per_producer;
  long long k = 0;
  while (k < r->per_producer) {
    int64_t t = now_ns();
    /* Send whatever is due by now, then sleep: at least 0.5 ms, so that high rates go
       out in small bursts rather than as a wake-up per record on a 2-core machine. */
    long long due = (long long)((double)(t - r->start_ns) / interval) + 1;
    if (due > r->per_producer) due = r->per_producer;
    for (; k < due; k++) {
      int64_t at = now_ns();
      memcpy(payload, &at, 8);
      memcpy(payload + 8, &k, 8);
      while (rd_kafka_produce(p->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload,
                              r->size, NULL, 0, NULL) == -1) {
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
          die("produce", rd_kafka_err2str(rd_kafka_last_error()));
        rd_kafka_poll(p->rk, 1);
      }
      atomic_fetch_add(&r->sent, 1);
    }
    rd_kafka_poll(p->rk, 0);
    if (k >= r->per_producer) break;
    int64_t next = r->start_ns + (int64_t)((double)k * interval);
    int64_t wait = next - now_ns();
    if (wait < 500000) wait = 500000;
    struct timespec d = {wait / 1000000000LL, wait % 1000000000LL};
    nanosleep(&d, NULL);
  }
  int64_t done = now_ns();
  int64_t prev = atomic_load(&r->last_send_ns);
  while (done > prev && !atomic_compare_exchange_weak(&r->last_send_ns, &prev, done)) {
  }
  rd_kafka_flush(p->rk, 30000);
  free(payload);
  return NULL;
}

static int omb(const char *bootstrap, const char *topic, int partitions, int size, double rate,
               double seconds, int producers, int consumers) {
  if (size < 16) size = 16;
  if (producers < 1) producers = 1;
  if (consumers < 1) consumers = 1;
  static struct omb_run r;
  r.bootstrap = bootstrap;
  r.topic = topic;
  r.partitions = partitions;
  r.size = size;
  r.consumers = consumers;
  r.rate_per_producer = rate / producers;
  r.per_producer = (long long)(r.rate_per_producer * (OMB_WARMUP_S + seconds));
  r.lat_cap = r.per_producer * producers + 16;
  r.lat = malloc(sizeof(int64_t) * r.lat_cap);

  struct omb_consumer *cs = calloc(consumers, sizeof *cs);
  for (int i = 0; i < consumers; i++) {
    cs[i].run = &r;
    cs[i].rk = assigned_consumer(bootstrap, topic, partitions, i, consumers, "500", "10485760", 0);
  }
  struct omb_producer *ps = calloc(producers, sizeof *ps);
  for (int i = 0; i < producers; i++) {
    rd_kafka_conf_t *conf = base_conf(bootstrap);
    set(conf, "acks", "all");
    set(conf, "linger.ms", "1");
    set(conf, "batch.size", "131072");
    set(conf, "compression.codec", "none");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    ps[i].run = &r;
    ps[i].rk = make(RD_KAFKA_PRODUCER, conf);
    ps[i].rkt = rd_kafka_topic_new(ps[i].rk, topic, NULL);
    await_metadata(ps[i].rk, ps[i].rkt);
  }
  for (int i = 0; i < consumers; i++) pthread_create(&cs[i].th, NULL, omb_consume, &cs[i]);
  /* Every producer primes: its own first requests were slow too. */
  long long markers = 0;
  for (int i = 0; i < producers; i++) markers += prime_send(ps[i].rk, ps[i].rkt, partitions, size);
  prime_wait(&r.primed, markers);
  for (int i = 0; i < producers; i++) pthread_create(&ps[i].th, NULL, omb_produce, &ps[i]);
  r.start_ns = now_ns();
  atomic_store(&r.warmup_end_ns, r.start_ns + (int64_t)(OMB_WARMUP_S * 1e9));
  atomic_store(&r.go, 1);
  for (int i = 0; i < producers; i++) pthread_join(ps[i].th, NULL);
  double achieved =
      (double)atomic_load(&r.sent) / ((double)(atomic_load(&r.last_send_ns) - r.start_ns) / 1e9);
  long long produced = atomic_load(&delivered);
  /* The consumers may lag; give them a bounded time to catch up. */
  int64_t deadline = now_ns() + 10 * 1000000000LL;
  while (atomic_load(&r.received) < produced && now_ns() < deadline) {
    struct timespec d = {0, 10 * 1000000L};
    nanosleep(&d, NULL);
  }
  atomic_store(&r.stop, 1);
  for (int i = 0; i < consumers; i++) pthread_join(cs[i].th, NULL);

  long long n = atomic_load(&r.lat_n);
  if (n > r.lat_cap) n = r.lat_cap;
  qsort(r.lat, n, sizeof(int64_t), cmp_i64);
  long long received = atomic_load(&r.received);
  printf("{\"mode\":\"omb\",\"targetRate\":%.0f,\"achievedRate\":%.1f,\"produced\":%lld,"
         "\"received\":%lld,\"failed\":%lld,\"samples\":%lld,\"p50Ms\":%.3f,\"p99Ms\":%.3f,"
         "\"p999Ms\":%.3f,\"maxMs\":%.3f}\n",
         rate, achieved, produced, received, (long long)atomic_load(&failed), n,
         pct(r.lat, n, 0.5), pct(r.lat, n, 0.99), pct(r.lat, n, 0.999),
         n ? (double)r.lat[n - 1] / 1e6 : -1.0);
  for (int i = 0; i < producers; i++) {
    rd_kafka_topic_destroy(ps[i].rkt);
    rd_kafka_destroy(ps[i].rk);
  }
  for (int i = 0; i < consumers; i++) {
    rd_kafka_consumer_close(cs[i].rk);
    rd_kafka_destroy(cs[i].rk);
  }
  free(ps);
  free(cs);
  free(r.lat);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 8 && strcmp(argv[1], "produce") == 0)
    return produce(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), argv[6], atof(argv[7]),
                   argc >= 9 && strcmp(argv[8], "prime") == 0);
  if (argc >= 7 && strcmp(argv[1], "consume") == 0)
    return consume(argv[2], argv[3], atoi(argv[4]), atoll(argv[5]), atof(argv[6]));
  if (argc >= 7 && strcmp(argv[1], "e2e") == 0)
    return e2e(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), atof(argv[6]),
               argc >= 8 ? atoi(argv[7]) : 1);
  if (argc >= 10 && strcmp(argv[1], "omb") == 0)
    return omb(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]), atof(argv[6]), atof(argv[7]),
               atoi(argv[8]), atoi(argv[9]));
  if (argc >= 2 && strcmp(argv[1], "version") == 0) {
    printf("{\"mode\":\"version\",\"librdkafka\":\"%s\"}\n", rd_kafka_version_str());
    return 0;
  }
  fprintf(stderr,
          "usage: loadgen produce BOOTSTRAP TOPIC PARTITIONS SIZE ACKS SECONDS [prime]\n"
          "       loadgen consume BOOTSTRAP TOPIC PARTITIONS COUNT TIMEOUT_SECONDS\n"
          "       loadgen e2e BOOTSTRAP TOPIC SIZE RATE SECONDS [PARTITIONS]\n"
          "       loadgen omb BOOTSTRAP TOPIC PARTITIONS SIZE RATE SECONDS PRODUCERS CONSUMERS\n"
          "       loadgen version\n");
  return 2;
}
