package dev.tugboat.runtime.images;

/** This machine's platform in OCI terms, for choosing a manifest out of a multi-platform index. */
final class Platform {

    private Platform() {}

    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch;
        };
    }
}
