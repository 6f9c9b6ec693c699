package dev.auditflow.cli.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;

/**
 * Draws latency percentile curves (x: percentile on a log "nines" scale — 50 %, 90 %, 99 %,
 * 99.9 % — y: milliseconds) to a PNG, so a person can look at the tail instead of reading it.
 */
final class HistogramPlot {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 60;
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)};

  private HistogramPlot() {}

  static void write(Path file, String title, Map<String, Histogram> microsByName) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, LEFT, 28);

    double maxMs = 1;
    for (Histogram h : microsByName.values()) {
      maxMs = Math.max(maxMs, h.getMaxValue() / 1000.0);
    }
    double maxNines = 3; // up to 99.9 %
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.LIGHT_GRAY);
    for (int i = 0; i <= 5; i++) {
      int y = TOP + plotH - i * plotH / 5;
      g.drawLine(LEFT, y, LEFT + plotW, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format(java.util.Locale.ROOT, "%.0f ms", maxMs * i / 5), 8, y + 4);
      g.setColor(Color.LIGHT_GRAY);
    }
    Map<String, Double> ticks = new LinkedHashMap<>();
    ticks.put("0%", 0.0);
    ticks.put("50%", nines(50));
    ticks.put("90%", nines(90));
    ticks.put("99%", nines(99));
    ticks.put("99.9%", nines(99.9));
    for (var tick : ticks.entrySet()) {
      int x = LEFT + (int) (tick.getValue() / maxNines * plotW);
      g.setColor(Color.LIGHT_GRAY);
      g.drawLine(x, TOP, x, TOP + plotH);
      g.setColor(Color.DARK_GRAY);
      g.drawString(tick.getKey(), x - 12, TOP + plotH + 18);
    }
    g.drawString("percentile", LEFT + plotW / 2 - 30, HEIGHT - 15);

    int series = 0;
    g.setStroke(new BasicStroke(2f));
    for (var entry : microsByName.entrySet()) {
      Histogram h = entry.getValue();
      g.setColor(COLORS[series % COLORS.length]);
      g.drawString(entry.getKey() + String.format(java.util.Locale.ROOT, " (n=%d, p99 %.1f ms)",
          h.getTotalCount(), h.getValueAtPercentile(99) / 1000.0), LEFT + 10, TOP + 18 + series * 18);
      if (h.getTotalCount() > 0) {
        int prevX = -1;
        int prevY = -1;
        for (int step = 0; step <= 300; step++) {
          double n = maxNines * step / 300;
          double percentile = 100 * (1 - Math.pow(10, -n));
          double ms = h.getValueAtPercentile(percentile) / 1000.0;
          int x = LEFT + (int) (n / maxNines * plotW);
          int y = TOP + plotH - (int) (ms / maxMs * plotH);
          if (prevX >= 0) {
            g.drawLine(prevX, prevY, x, y);
          }
          prevX = x;
          prevY = y;
        }
      }
      series++;
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static double nines(double percentile) {
    return -Math.log10(1 - percentile / 100);
  }
}
