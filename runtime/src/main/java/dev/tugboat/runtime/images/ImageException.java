package dev.tugboat.runtime.images;

/** An image could not be imported, found or removed; the message names the image, blob or entry and the cause. */
public class ImageException extends RuntimeException {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
