;; Robust scaling of flow feature rows, two values per instruction (f64x2):
;;   z = (sign(x) · log1p(|x|) − center) / spread, clipped to ±clip, NaN → 0
;;
;; Assembled into scale-rows-wasm.ts by `npm run kernels`; ScaleRowsKernel (scale-rows-kernel.ts) owns the
;; memory layout. Byte offsets into the one memory:
;;   $params ..           per-feature center for two consecutive rows (2·dim f64), then spread likewise
;;   $rows .. $end        the rows, f32, an even number of them, scaled in place
;;
;; log1p(a) for a ≥ 0 follows the classic argument reduction: u = 1 + a is split as 2^k · m with m in
;; [√2/2, √2); log(m) = log(1 + f) comes from s = f / (2 + f) and a degree-14 polynomial in s; the
;; rounding of 1 + a is undone by the first-order correction c / u, c = a − (u − 1) or 1 − (u − a).
;; Its error is within one unit in the last place of the f64 result, far below the f32 the output keeps.
(module
  (memory (export "memory") 1)

  ;; Scales the values from $rows to $end in place. $tile is the byte length of one parameter array
  ;; (2·dim f64 = 16·dim bytes); each block of two rows (8·dim bytes of f32) reads the parameters from the
  ;; start of the tile again.
  (func $scale (export "scale") (param $params i32) (param $tile i32) (param $rows i32) (param $end i32)
    (param $clip f64)
    (local $p i32)
    (local $block_end i32)
    (local $x v128)
    (local $a v128)
    (local $u v128)
    (local $hu v128)
    (local $k v128)
    (local $c v128)
    (local $f v128)
    (local $hfsq v128)
    (local $s v128)
    (local $z v128)
    (local $w v128)
    (local $dk v128)
    (local $log v128)
    (local $clip_hi v128)
    (local $clip_lo v128)
    (local.set $clip_hi (f64x2.splat (local.get $clip)))
    (local.set $clip_lo (f64x2.neg (local.get $clip_hi)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        ;; $p: byte offset of the center pair in the tile; the f32 pair it scales is at $rows + $p / 2.
        (local.set $p (i32.const 0))
        (loop $pairs
          (local.set $x
            (f64x2.promote_low_f32x4
              (v128.load64_zero (i32.add (local.get $rows) (i32.shr_u (local.get $p) (i32.const 1))))))
          (local.set $a (f64x2.abs (local.get $x)))
          ;; u = 1 + a = 2^k · m; the high word, offset so that m lands in [√2/2, √2), gives k.
          (local.set $u (f64x2.add (local.get $a) (f64x2.splat (f64.const 1))))
          (local.set $hu
            (i64x2.add (i64x2.shr_u (local.get $u) (i32.const 32)) (i64x2.splat (i64.const 0x95f62))))
          (local.set $k
            (i64x2.sub (i64x2.shr_u (local.get $hu) (i32.const 20)) (i64x2.splat (i64.const 0x3ff))))
          ;; c / u: what rounding 1 + a lost (0 once k ≥ 54, where it is below an ulp of the result).
          (local.set $c
            (v128.bitselect
              (f64x2.sub (f64x2.splat (f64.const 1)) (f64x2.sub (local.get $u) (local.get $a)))
              (f64x2.sub (local.get $a) (f64x2.sub (local.get $u) (f64x2.splat (f64.const 1))))
              (i64x2.ge_s (local.get $k) (i64x2.splat (i64.const 2)))))
          (local.set $c
            (v128.and
              (f64x2.div (local.get $c) (local.get $u))
              (i64x2.lt_s (local.get $k) (i64x2.splat (i64.const 54)))))
          ;; m with the exponent of [√2/2, √2), and f = m − 1.
          (local.set $f
            (f64x2.sub
              (v128.or
                (i64x2.shl
                  (i64x2.add
                    (v128.and (local.get $hu) (i64x2.splat (i64.const 0x000fffff)))
                    (i64x2.splat (i64.const 0x3fe6a09e)))
                  (i32.const 32))
                (v128.and (local.get $u) (i64x2.splat (i64.const 0xffffffff))))
              (f64x2.splat (f64.const 1))))
          (local.set $hfsq
            (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.mul (local.get $f) (local.get $f))))
          (local.set $s
            (f64x2.div (local.get $f) (f64x2.add (f64x2.splat (f64.const 2)) (local.get $f))))
          (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
          (local.set $w (f64x2.mul (local.get $z) (local.get $z)))
          ;; k as f64: 0 ≤ k < 2^52, so its bits added to those of 2^52 make 2^52 + k exactly.
          (local.set $dk
            (f64x2.sub
              (i64x2.add (local.get $k) (i64x2.splat (i64.const 0x4330000000000000)))
              (f64x2.splat (f64.const 0x1p52))))
          ;; log1p(a) = s·(hfsq + R) + (k·ln2_lo + c/u) − hfsq + f + k·ln2_hi, R = t1 + t2 below.
          (local.set $log
            (f64x2.add
              (f64x2.add
                (f64x2.sub
                  (f64x2.add
                    (f64x2.mul (local.get $s)
                      (f64x2.add (local.get $hfsq)
                        (f64x2.add
                          ;; t2 = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7)))
                          (f64x2.mul (local.get $z)
                            (f64x2.add (f64x2.splat (f64.const 0x1.5555555555593p-1))
                              (f64x2.mul (local.get $w)
                                (f64x2.add (f64x2.splat (f64.const 0x1.2492494229359p-2))
                                  (f64x2.mul (local.get $w)
                                    (f64x2.add (f64x2.splat (f64.const 0x1.7466496cb03dep-3))
                                      (f64x2.mul (local.get $w) (f64x2.splat (f64.const 0x1.2f112df3e5244p-3)))))))))
                          ;; t1 = w·(Lg2 + w·(Lg4 + w·Lg6))
                          (f64x2.mul (local.get $w)
                            (f64x2.add (f64x2.splat (f64.const 0x1.999999997fa04p-2))
                              (f64x2.mul (local.get $w)
                                (f64x2.add (f64x2.splat (f64.const 0x1.c71c51d8e78afp-3))
                                  (f64x2.mul (local.get $w) (f64x2.splat (f64.const 0x1.39a09d078c69fp-3))))))))))
                    (f64x2.add
                      (f64x2.mul (local.get $dk) (f64x2.splat (f64.const 0x1.a39ef35793c76p-33)))
                      (local.get $c)))
                  (local.get $hfsq))
                (local.get $f))
              (f64x2.mul (local.get $dk) (f64x2.splat (f64.const 0x1.62e42feep-1)))))
          ;; log1p(∞) = ∞ (the reduction above would give 1025·ln 2); then x's sign.
          (local.set $log
            (v128.or
              (v128.bitselect
                (f64x2.splat (f64.const inf))
                (local.get $log)
                (f64x2.eq (local.get $a) (f64x2.splat (f64.const inf))))
              (v128.and (local.get $x) (i64x2.splat (i64.const 0x8000000000000000)))))
          (local.set $z
            (f64x2.div
              (f64x2.sub (local.get $log) (v128.load (i32.add (local.get $params) (local.get $p))))
              (v128.load (i32.add (i32.add (local.get $params) (local.get $tile)) (local.get $p)))))
          ;; Clip, then NaN (only from a NaN input) to 0. pmin/pmax are one instruction each; min/max
          ;; would spend several on NaN and signed-zero rules that the mask below makes moot.
          (local.set $z
            (v128.andnot
              (f64x2.pmax (f64x2.pmin (local.get $z) (local.get $clip_hi)) (local.get $clip_lo))
              (f64x2.ne (local.get $x) (local.get $x))))
          (v128.store64_lane 0
            (i32.add (local.get $rows) (i32.shr_u (local.get $p) (i32.const 1)))
            (f32x4.demote_f64x2_zero (local.get $z)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br_if $pairs (i32.lt_u (local.get $p) (local.get $tile))))
        (local.set $rows (i32.add (local.get $rows) (i32.shr_u (local.get $tile) (i32.const 1))))
        (br $blocks)))))
