package com.example.refunds;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A service that audits what it does through the auditflow starter: see RefundController. */
@SpringBootApplication
public class RefundsApplication {
  public static void main(String[] args) {
    SpringApplication.run(RefundsApplication.class, args);
  }
}
