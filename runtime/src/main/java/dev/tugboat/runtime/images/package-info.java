/**
 * The node's content-addressed image store and the root filesystems made from it.
 *
 * <p>{@link dev.tugboat.runtime.images.ImageStore} imports OCI image layouts and {@code docker save} archives,
 * verifying every blob digest and layer diff id before anything becomes visible, and unpacks each layer once (by
 * chain id) in overlayfs form (see {@link dev.tugboat.runtime.images.LayerUnpacker}). A container's root filesystem is
 * an overlay of {@link dev.tugboat.runtime.images.ImageStore#lowerDirs} with its own upper and work directories; the
 * mount data comes from {@link dev.tugboat.runtime.images.OverlayMountOptions}.
 */
package dev.tugboat.runtime.images;
