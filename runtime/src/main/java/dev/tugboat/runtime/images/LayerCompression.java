package dev.tugboat.runtime.images;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** How a layer (or archive) is compressed, told by its first bytes rather than a media type or file name. */
public enum LayerCompression {
    NONE,
    GZIP,
    ZSTD,
    XZ,
    BZIP2;

    private static final byte[] GZIP_MAGIC = {(byte) 0x1f, (byte) 0x8b};
    private static final byte[] ZSTD_MAGIC = {(byte) 0x28, (byte) 0xb5, (byte) 0x2f, (byte) 0xfd};
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] BZIP2_MAGIC = {'B', 'Z', 'h'};

    public static LayerCompression detect(byte[] head) {
        if (startsWith(head, GZIP_MAGIC)) {
            return GZIP;
        }
        if (startsWith(head, ZSTD_MAGIC)) {
            return ZSTD;
        }
        if (startsWith(head, XZ_MAGIC)) {
            return XZ;
        }
        if (startsWith(head, BZIP2_MAGIC)) {
            return BZIP2;
        }
        return NONE;
    }

    /** The decompressed stream of {@code in}; {@code what} names the blob in the error for unsupported formats. */
    public static InputStream decompress(InputStream in, String what) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(8);
        byte[] head = buffered.readNBytes(8);
        buffered.reset();
        LayerCompression compression = detect(head);
        return switch (compression) {
            case NONE -> buffered;
            case GZIP -> GzipCompressorInputStream.builder().setInputStream(buffered).setDecompressConcatenated(true).get();
            default -> throw new ImageException(what + ": " + compression.name().toLowerCase()
                    + "-compressed content is not supported (only gzip and uncompressed tar)");
        };
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }
}
