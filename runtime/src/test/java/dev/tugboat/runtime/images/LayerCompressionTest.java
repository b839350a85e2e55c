package dev.tugboat.runtime.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class LayerCompressionTest {

    private static final byte[] TAR = new TestTar().file("a", "content").toBytes();

    @Test
    void compressionIsToldByMagicBytes() {
        assertThat(LayerCompression.detect(TAR)).isEqualTo(LayerCompression.NONE);
        assertThat(LayerCompression.detect(TestTar.gzip(TAR))).isEqualTo(LayerCompression.GZIP);
        assertThat(LayerCompression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0})).isEqualTo(LayerCompression.ZSTD);
        assertThat(LayerCompression.detect(new byte[0])).isEqualTo(LayerCompression.NONE);
    }

    @Test
    void gzipAndPlainTarsDecompressToTheSameBytes() throws IOException {
        try (InputStream plain = LayerCompression.decompress(new ByteArrayInputStream(TAR), "plain");
             InputStream gzip = LayerCompression.decompress(new ByteArrayInputStream(TestTar.gzip(TAR)), "gzip")) {
            assertThat(plain.readAllBytes()).isEqualTo(TAR);
            assertThat(gzip.readAllBytes()).isEqualTo(TAR);
        }
    }

    @Test
    void unsupportedCompressionIsNamedWithTheBlob() {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0};

        assertThatThrownBy(() -> LayerCompression.decompress(new ByteArrayInputStream(zstd), "layer sha256:x"))
                .isInstanceOf(ImageException.class)
                .hasMessage("layer sha256:x: zstd-compressed content is not supported (only gzip and uncompressed tar)");
    }
}
