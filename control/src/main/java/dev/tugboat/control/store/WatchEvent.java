package dev.tugboat.control.store;

/** {@code prevKv} is null unless the watch asked for it and the key existed before. */
public record WatchEvent(Type type, KeyValue kv, KeyValue prevKv) {
  public enum Type { PUT, DELETE }
}
