package dev.tugboat.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** One case of a part: every subject measured on the same work in the same run, its ratios and its target. */
public final class BenchCase {
  private final String name;
  private final Map<String, Figures> subjects = new LinkedHashMap<>();
  private final Map<String, Double> ratios = new LinkedHashMap<>();
  private Target target;

  public BenchCase(String name) {
    this.name = name;
  }

  public BenchCase subject(String subject, Figures figures) {
    subjects.put(subject, figures);
    return this;
  }

  /** Adds {@code ratio = a.figure / b.figure} when both were measured; a failed subject leaves the ratio out. */
  public BenchCase ratio(String subjectA, String figureA, String subjectB, String figureB) {
    Figures a = subjects.get(subjectA);
    Figures b = subjects.get(subjectB);
    Double x = a == null ? null : a.get(figureA);
    Double y = b == null ? null : b.get(figureB);
    if (x != null && y != null && y != 0) {
      String key = subjectA + "_" + stripUnit(figureA) + "_over_" + subjectB + "_" + stripUnit(figureB);
      ratios.put(key, Samples.round(x / y));
    }
    return this;
  }

  public BenchCase target(String expression) {
    this.target = Target.parse(expression);
    return this;
  }

  private static String stripUnit(String figure) {
    int underscore = figure.lastIndexOf('_');
    return underscore > 0 && figure.endsWith("_ms") ? figure.substring(0, underscore) : figure;
  }

  public String name() {
    return name;
  }

  public Map<String, Figures> subjects() {
    return subjects;
  }

  public Map<String, Double> ratios() {
    return ratios;
  }

  public Target target() {
    return target;
  }

  /** Null when the target cannot be judged because a figure it needs is missing. */
  public Boolean met() {
    return target == null ? null : target.evaluate(ratios, subjects);
  }
}
