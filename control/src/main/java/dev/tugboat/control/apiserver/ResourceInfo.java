package dev.tugboat.control.apiserver;

import java.util.List;

/** What discovery says of one served resource (an APIResource), for /api, /apis and aggregated discovery. */
public record ResourceInfo(String group, String version, String resource, String singularName, String kind,
                           boolean namespaced, List<String> verbs, List<String> shortNames,
                           List<String> categories, List<String> subresources) {}
