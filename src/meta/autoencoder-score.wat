;; The autoencoder's inference pass and reconstruction error, four values per instruction (f32x4):
;; dense layers with tanh between them and a linear output, then per row the mean squared difference
;; between the row and its reconstruction.
;;
;; Assembled into autoencoder-score-wasm.ts by `npm run kernels`; AutoencoderKernel
;; (autoencoder-kernel.ts) owns the memory layout. Byte offsets into the one memory:
;;   $layers ..     per layer four i32: fan-in, byte offset of its weights, output blocks of 16, tanh (0/1)
;;   (weights)      per layer: fan-in rows of blocks·16 f32 (W row-major, zero-padded columns), then the bias
;;                  (blocks·16 f32, zero-padded)
;;   $a, $b         two activation buffers, each as wide as the widest layer
;;   $rows          the input rows, $dim f32 each, unpadded
;;   $out           the reconstructions, laid out like the rows
;;   $scores        one f32 per row
(module
  (memory (export "memory") 1)

  ;; One dense layer for one row: $out = act($in · W + bias), 16 outputs at a time so that each input value
  ;; is loaded once per block and the weights row by row.
  (func $dense (param $in i32) (param $fan_in i32) (param $w i32) (param $blocks i32) (param $out i32)
    (local $row_bytes i32)
    (local $bias i32)
    (local $block i32)
    (local $wp i32)
    (local $j i32)
    (local $x v128)
    (local $a0 v128)
    (local $a1 v128)
    (local $a2 v128)
    (local $a3 v128)
    (local.set $row_bytes (i32.shl (local.get $blocks) (i32.const 6)))
    (local.set $bias (i32.add (local.get $w) (i32.mul (local.get $fan_in) (local.get $row_bytes))))
    (loop $blocks
      (local.set $a0 (v128.load (local.get $bias)))
      (local.set $a1 (v128.load offset=16 (local.get $bias)))
      (local.set $a2 (v128.load offset=32 (local.get $bias)))
      (local.set $a3 (v128.load offset=48 (local.get $bias)))
      (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $block) (i32.const 6))))
      (local.set $j (i32.const 0))
      (loop $inputs
        (local.set $x (v128.load32_splat (i32.add (local.get $in) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x) (v128.load (local.get $wp)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $wp)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $wp)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x) (v128.load offset=48 (local.get $wp)))))
        (local.set $wp (i32.add (local.get $wp) (local.get $row_bytes)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inputs (i32.lt_u (local.get $j) (local.get $fan_in))))
      (v128.store (local.get $out) (local.get $a0))
      (v128.store offset=16 (local.get $out) (local.get $a1))
      (v128.store offset=32 (local.get $out) (local.get $a2))
      (v128.store offset=48 (local.get $out) (local.get $a3))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (local.set $bias (i32.add (local.get $bias) (i32.const 64)))
      (local.set $block (i32.add (local.get $block) (i32.const 1)))
      (br_if $blocks (i32.lt_u (local.get $block) (local.get $blocks)))))

  ;; tanh in place on $count values at $p (a multiple of 4), as (e − 1) / (e + 1) with e = exp(2x) for x
  ;; clamped to ±9 (where tanh is 1 to f32 precision). exp(2x) = 2^n · 2^f, n the integer nearest
  ;; 2x·log2(e), 2^f from its degree-7 Taylor polynomial in f·ln 2 (|f| ≤ 1/2, relative error below 5e-9);
  ;; the result is within about 1e-7 of tanh.
  (func $tanh (param $p i32) (param $count i32)
    (local $end i32)
    (local $x v128)
    (local $t v128)
    (local $n v128)
    (local $f v128)
    (local $e v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $count) (i32.const 2))))
    (loop $values
      (local.set $x
        (f32x4.pmax
          (f32x4.pmin (v128.load (local.get $p)) (f32x4.splat (f32.const 9)))
          (f32x4.splat (f32.const -9))))
      (local.set $t (f32x4.mul (local.get $x) (f32x4.splat (f32.const 2.8853900817779268))))
      (local.set $n (f32x4.nearest (local.get $t)))
      (local.set $f (f32x4.mul (f32x4.sub (local.get $t) (local.get $n)) (f32x4.splat (f32.const 0.6931471805599453))))
      (local.set $e
        (f32x4.add (f32x4.splat (f32.const 1))
          (f32x4.mul (local.get $f)
            (f32x4.add (f32x4.splat (f32.const 1))
              (f32x4.mul (local.get $f)
                (f32x4.add (f32x4.splat (f32.const 0.5))
                  (f32x4.mul (local.get $f)
                    (f32x4.add (f32x4.splat (f32.const 0.16666666666666666))
                      (f32x4.mul (local.get $f)
                        (f32x4.add (f32x4.splat (f32.const 0.041666666666666664))
                          (f32x4.mul (local.get $f)
                            (f32x4.add (f32x4.splat (f32.const 0.008333333333333333))
                              (f32x4.mul (local.get $f)
                                (f32x4.add (f32x4.splat (f32.const 0.001388888888888889))
                                  (f32x4.mul (local.get $f) (f32x4.splat (f32.const 0.0001984126984126984)))))))))))))))))
      ;; · 2^n, built from its exponent bits.
      (local.set $e
        (f32x4.mul (local.get $e)
          (i32x4.shl
            (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127)))
            (i32.const 23))))
      (v128.store (local.get $p)
        (f32x4.div
          (f32x4.sub (local.get $e) (f32x4.splat (f32.const 1)))
          (f32x4.add (local.get $e) (f32x4.splat (f32.const 1)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $values (i32.lt_u (local.get $p) (local.get $end)))))

  ;; Scores $n rows of $dim values at $rows: reconstructions to $out, mean squared errors to $scores.
  ;; $count layers are described at $layers; activations alternate between $a and $b.
  (func $score (export "score")
    (param $layers i32) (param $count i32) (param $a i32) (param $b i32)
    (param $rows i32) (param $n i32) (param $dim i32) (param $out i32) (param $scores i32)
    (local $row i32)
    (local $layer i32)
    (local $desc i32)
    (local $in i32)
    (local $into i32)
    (local $spare i32)
    (local $j i32)
    (local $vector_end i32)
    (local $row_bytes i32)
    (local $r v128)
    (local $d v128)
    (local $acc v128)
    (local $rs f32)
    (local $ds f32)
    (local $sum f32)
    (local.set $row_bytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $vector_end (i32.and (local.get $row_bytes) (i32.const -16)))
    (block $done
      (loop $rows_loop
        (br_if $done (i32.ge_u (local.get $row) (local.get $n)))
        ;; The forward pass: the first layer reads the row itself, later ones the previous activations.
        (local.set $in (local.get $rows))
        (local.set $into (local.get $a))
        (local.set $spare (local.get $b))
        (local.set $layer (i32.const 0))
        (loop $layers_loop
          (local.set $desc (i32.add (local.get $layers) (i32.shl (local.get $layer) (i32.const 4))))
          (call $dense
            (local.get $in)
            (i32.load (local.get $desc))
            (i32.load offset=4 (local.get $desc))
            (i32.load offset=8 (local.get $desc))
            (local.get $into))
          (if (i32.load offset=12 (local.get $desc))
            (then
              (call $tanh (local.get $into)
                (i32.shl (i32.load offset=8 (local.get $desc)) (i32.const 4)))))
          (local.set $in (local.get $into))
          (local.set $into (local.get $spare))
          (local.set $spare (local.get $in))
          (local.set $layer (i32.add (local.get $layer) (i32.const 1)))
          (br_if $layers_loop (i32.lt_u (local.get $layer) (local.get $count))))
        ;; $in holds the reconstruction: copy it out and sum the squared differences, four columns at a time
        ;; and the last dim mod 4 one by one.
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $vectors_done
          (loop $vectors
            (br_if $vectors_done (i32.ge_u (local.get $j) (local.get $vector_end)))
            (local.set $r (v128.load (i32.add (local.get $in) (local.get $j))))
            (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $r))
            (local.set $d (f32x4.sub (v128.load (i32.add (local.get $rows) (local.get $j))) (local.get $r)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $vectors)))
        (local.set $sum
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $j) (local.get $row_bytes)))
            (local.set $rs (f32.load (i32.add (local.get $in) (local.get $j))))
            (f32.store (i32.add (local.get $out) (local.get $j)) (local.get $rs))
            (local.set $ds (f32.sub (f32.load (i32.add (local.get $rows) (local.get $j))) (local.get $rs)))
            (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $ds) (local.get $ds))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $tail)))
        (f32.store (local.get $scores)
          (f32.div (local.get $sum) (f32.convert_i32_u (local.get $dim))))
        (local.set $rows (i32.add (local.get $rows) (local.get $row_bytes)))
        (local.set $out (i32.add (local.get $out) (local.get $row_bytes)))
        (local.set $scores (i32.add (local.get $scores) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows_loop)))))
