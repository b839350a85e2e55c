/**
 * The bbolt database file (go.etcd.io/bbolt 1.3, the file etcd keeps its backend in and {@code etcdctl snapshot}
 * reads): {@link dev.tugboat.control.store.bbolt.BoltPages}, the page and meta layouts;
 * {@link dev.tugboat.control.store.bbolt.BoltWriter}, a whole new file from sorted buckets;
 * {@link dev.tugboat.control.store.bbolt.BoltReader}, the buckets of a file any bbolt wrote. Pure: a file channel
 * in or out, no knowledge of what the buckets mean.
 */
package dev.tugboat.control.store.bbolt;
