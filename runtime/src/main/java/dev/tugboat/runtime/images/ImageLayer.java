package dev.tugboat.runtime.images;

/**
 * One layer of an image as stored.
 *
 * @param blobDigest    digest of the layer blob as imported (compressed or not)
 * @param mediaType     media type of the blob
 * @param blobSize      size of the blob in bytes
 * @param diffId        digest of the uncompressed tar (the config's rootfs.diff_ids entry)
 * @param chainId       chain id of this layer on top of the ones below it; names the unpacked directory
 * @param unpackedBytes bytes of regular files in the layer
 */
public record ImageLayer(Digest blobDigest, String mediaType, long blobSize, Digest diffId, Digest chainId, long unpackedBytes) {}
