package dev.tugboat.control.store;

/**
 * Watches {@code [key, rangeEnd)} from {@code startRevision} (0: from the next revision). {@code progressNotify}
 * asks for periodic {@link WatchListener#onProgress} when nothing changes.
 */
public record WatchRequest(byte[] key, byte[] rangeEnd, long startRevision, boolean prevKv, boolean progressNotify,
                           boolean noPut, boolean noDelete) {

  public static WatchRequest prefix(byte[] prefix, long startRevision) {
    return new WatchRequest(prefix, KeyRanges.prefixEnd(prefix), startRevision, false, false, false, false);
  }

  public WatchRequest withPrevKv() {
    return new WatchRequest(key, rangeEnd, startRevision, true, progressNotify, noPut, noDelete);
  }
}
