package dev.tugboat.control.apiserver.resources.validation;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A container's liveness, readiness and startup probes, checked as Kubernetes' validateProbe does: exactly one
 * handler (exec with a command, httpGet, tcpSocket or grpc with a valid port), no negative timings, successThreshold
 * 1 where only one success can count (liveness, startup), none on a plain init container. A probe the API server let
 * through unchecked would be run by the node agent and fail for ever, restarting the container.
 */
final class ProbeValidation {

  private static final List<String> HANDLERS = List.of("exec", "httpGet", "tcpSocket", "grpc");
  private static final List<String> TIMINGS = List.of("initialDelaySeconds", "timeoutSeconds", "periodSeconds",
      "successThreshold", "failureThreshold");
  private static final List<String> SCHEMES = List.of("HTTP", "HTTPS");

  private ProbeValidation() {}

  static void container(JsonNode container, String path, boolean init, List<FieldError> errors) {
    // an init container with restartPolicy Always is a sidecar, which may have probes
    boolean sidecar = "Always".equals(container.path("restartPolicy").asString(""));
    for (String kind : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      JsonNode probe = container.path(kind);
      if (!probe.isObject()) continue;
      String at = path + "." + kind;
      if (init && !sidecar) {
        errors.add(FieldError.forbidden(at, "may not be set for init containers without restartPolicy=Always"));
        continue;
      }
      probe(probe, at, errors);
      JsonNode successThreshold = probe.path("successThreshold");
      if (!kind.equals("readinessProbe") && successThreshold.isNumber() && successThreshold.asLong() != 1) {
        errors.add(FieldError.invalid(at + ".successThreshold", successThreshold.asLong(), "must be 1"));
      }
      if (kind.equals("readinessProbe") && probe.has("terminationGracePeriodSeconds")) {
        errors.add(FieldError.invalid(at + ".terminationGracePeriodSeconds", probe.path("terminationGracePeriodSeconds"),
            "must not be set for readinessProbes"));
      }
    }
  }

  private static void probe(JsonNode probe, String path, List<FieldError> errors) {
    int handlers = 0;
    for (String handler : HANDLERS) {
      JsonNode action = probe.path(handler);
      if (!action.isObject()) continue;
      if (handlers++ > 0) {
        errors.add(FieldError.forbidden(path + "." + handler, "may not specify more than 1 handler type"));
        continue;
      }
      String at = path + "." + handler;
      switch (handler) {
        case "exec" -> {
          if (action.path("command").isEmpty()) errors.add(FieldError.required(at + ".command", ""));
        }
        case "httpGet" -> {
          if (action.path("path").asString("").isEmpty()) errors.add(FieldError.required(at + ".path", ""));
          port(action.path("port"), at + ".port", errors);
          String scheme = action.path("scheme").asString("HTTP");
          if (!SCHEMES.contains(scheme)) errors.add(FieldError.notSupported(at + ".scheme", scheme, SCHEMES));
        }
        case "tcpSocket" -> port(action.path("port"), at + ".port", errors);
        default -> {
          JsonNode port = action.path("port");
          if (!port.isIntegralNumber()) {
            errors.add(FieldError.required(at + ".port", ""));
          } else {
            PodSpecValidation.portRange(at + ".port", port.asLong(), errors);
          }
        }
      }
    }
    if (handlers == 0) errors.add(FieldError.required(path, "must specify a handler type"));
    for (String timing : TIMINGS) {
      JsonNode value = probe.path(timing);
      if (value.isNumber() && value.asLong() < 0) {
        errors.add(FieldError.invalid(path + "." + timing, value.asLong(), "must be greater than or equal to 0"));
      }
    }
    JsonNode grace = probe.path("terminationGracePeriodSeconds");
    if (grace.isNumber() && grace.asLong() <= 0) {
      errors.add(FieldError.invalid(path + ".terminationGracePeriodSeconds", grace.asLong(), "must be greater than 0"));
    }
  }

  /** A port number or the name of one of the container's ports (IntOrString). */
  private static void port(JsonNode port, String path, List<FieldError> errors) {
    if (port.isIntegralNumber()) {
      PodSpecValidation.portRange(path, port.asLong(), errors);
    } else if (port.isString() && !port.asString().isEmpty()) {
      Names.portName(port.asString()).forEach(p -> errors.add(FieldError.invalid(path, port.asString(), p)));
    } else {
      errors.add(FieldError.required(path, ""));
    }
  }
}
