package dev.tugboat.bench.apiserver;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads, straight from a watch event's bytes, what the bench times: whether it is an ADDED event, and then the number
 * of its pod (the bench names them {@code w0, w1...}) and the send time the pod carries in {@link #SENT_AT}. A
 * flyweight, reused for every event of one watcher: nothing is decoded or allocated per event (the String per event
 * it replaces was most of the bench JVM's garbage). Only ASCII is looked for, so other fields may hold any UTF-8.
 *
 * <p>The event's type must be its first field, as the API server writes it (and kube-apiserver:
 * {@code {"type":"ADDED","object":{...}}}), so that a {@code "type"} inside the object is never taken for it.
 */
final class AddedPodEvent {
  static final String SENT_AT = "bench.tugboat.dev/sent-at-nanos";
  private static final byte[] TYPE_FIELD = ascii("{\"type\":\"");
  private static final byte[] ADDED = ascii("ADDED\"");
  private static final byte[] NAME_FIELD = ascii("\"name\":\"w");
  private static final byte[] SENT_AT_FIELD = ascii("\"" + SENT_AT + "\":\"");
  /** A long has at most 19 digits. */
  private static final int MAX_DIGITS = 19;
  /** How much of a malformed event its error shows. */
  private static final int SHOWN_BYTES = 200;
  private int podNumber;
  private long sentNanos;
  /**
   * The event's bytes, copied in one call: reading a ByteBuf byte by byte checks its bounds and reference count on
   * every byte (through the leak detector's wrapper too), and that was 42% of the watchers' CPU samples (JFR of the
   * measured round, 2026-11-29), more than TLS and HTTP/2 together; a memcpy of the event and a scan of an array is
   * a small part of that.
   */
  private byte[] bytes = new byte[4096];

  /**
   * Reads the event in {@code line[from, to)}: true if it is ADDED, and then {@link #podNumber} and {@link #sentNanos}
   * hold its pod's; false for any other type (the bench's pods are only created, but a server may send a BOOKMARK).
   *
   * @throws IllegalStateException naming what is missing and showing the event's start, if the event is not a watch
   *     event, or an ADDED one without the bench's pod name or send time
   */
  boolean read(ByteBuf line, int from, int to) {
    int length = to - from;
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, 2 * bytes.length)];
    }
    line.getBytes(from, bytes, 0, length);
    return read(bytes, 0, length);
  }

  private boolean read(byte[] line, int from, int to) {
    if (!startsWith(line, from, to, TYPE_FIELD)) {
      throw malformed("does not start with its type field", line, from, to);
    }
    if (!startsWith(line, from + TYPE_FIELD.length, to, ADDED)) {
      return false;
    }
    int name = indexOf(line, from, to, NAME_FIELD);
    if (name < 0) {
      throw malformed("has no pod named w<number>", line, from, to);
    }
    long number = number(line, name + NAME_FIELD.length, to);
    if (number < 0 || number > Integer.MAX_VALUE) {
      throw malformed("has a pod name other than w<number>", line, from, to);
    }
    int sent = indexOf(line, from, to, SENT_AT_FIELD);
    if (sent < 0) {
      throw malformed("has no " + SENT_AT + " annotation", line, from, to);
    }
    int sentStart = sent + SENT_AT_FIELD.length;
    boolean negative = sentStart < to && line[sentStart] == '-';
    long magnitude = number(line, negative ? sentStart + 1 : sentStart, to);
    if (magnitude < 0) {
      throw malformed("has a " + SENT_AT + " annotation that is not a number of nanoseconds", line, from, to);
    }
    podNumber = (int) number;
    sentNanos = negative ? -magnitude : magnitude;
    return true;
  }

  /** The number in the name of the last ADDED event's pod. */
  int podNumber() {
    return podNumber;
  }

  /** The send time of the last ADDED event's pod, in {@link System#nanoTime()}'s terms. */
  long sentNanos() {
    return sentNanos;
  }

  /** The decimal digits at {@code at} up to a closing quote; -1 if there are none, or anything else, or too many. */
  private static long number(byte[] line, int at, int to) {
    long value = 0;
    int end = Math.min(to, at + MAX_DIGITS + 1);
    for (int i = at; i < end; i++) {
      byte b = line[i];
      if (b == '"') {
        return i == at ? -1 : value;
      }
      if (b < '0' || b > '9') {
        return -1;
      }
      value = value * 10 + (b - '0');
    }
    return -1;
  }

  private static boolean startsWith(byte[] line, int at, int to, byte[] prefix) {
    if (to - at < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where {@code pattern} first starts in {@code line[from, to)}, or -1. A plain scan: both fields the bench looks for
   * are in the pod's metadata, within the event's first few hundred bytes, so the scan stops early.
   */
  private static int indexOf(byte[] line, int from, int to, byte[] pattern) {
    byte first = pattern[0];
    for (int i = from, last = to - pattern.length; i <= last; i++) {
      if (line[i] == first && startsWith(line, i, to, pattern)) {
        return i;
      }
    }
    return -1;
  }

  private static IllegalStateException malformed(String what, byte[] line, int from, int to) {
    String shown = new String(line, from, Math.min(to - from, SHOWN_BYTES), StandardCharsets.UTF_8);
    return new IllegalStateException("watch event " + what + ": " + shown + (to - from > SHOWN_BYTES ? "..." : ""));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
